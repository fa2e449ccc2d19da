"""Production mode: DEBUG off, secrets required, HTTPS hardening.

Passes `manage.py check --deploy`. Behind a TLS-terminating proxy set
SECURE_PROXY_SSL_HEADER through STUDIO_BEHIND_PROXY=1.
"""

import os

os.environ.setdefault("DEBUG", "false")

from . import *  # noqa: E402,F403
from . import env_bool  # noqa: E402

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("STUDIO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
