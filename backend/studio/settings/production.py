"""Production mode: DEBUG off, secrets required, HTTPS hardening.

Passes `manage.py check --deploy`. Behind a TLS-terminating proxy set
SECURE_PROXY_SSL_HEADER through STUDIO_BEHIND_PROXY=1.

Importing this module runs the package's __init__ first, with DEBUG as the
environment says (on by default), so everything there that depends on DEBUG is
decided again here with DEBUG off: SECRET_KEY above all, which must come from
the environment (no development fallback).
"""

import os

from . import *  # noqa: F403
from . import env_bool, secret_key

DEBUG = False
SECRET_KEY = secret_key(debug=False)
# Static files come from STATIC_ROOT (collectstatic), never looked up per request.
WHITENOISE_USE_FINDERS = False

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
