"""Pipeline Studio settings, read from environment variables.

With no configuration at all the app runs in debug mode on SQLite with an
embedded (filesystem) Celery broker, so `make up` needs nothing else. Set
`DATABASE_URL` / `CELERY_BROKER_URL` for PostgreSQL and Redis (docker-compose
and the test suite do). `DJANGO_SETTINGS_MODULE=studio.settings.production`
turns on the hardened production mode (see production.py).
Every setting is documented in docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BACKEND_DIR = Path(__file__).resolve().parent.parent.parent
REPO_DIR = BACKEND_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# The development key is only ever used with DEBUG on. Its `django-insecure-` prefix makes
# `manage.py check --deploy` flag it (security.W009) should it ever reach a deployment.
_DEV_SECRET_KEY = "django-insecure-dev-only-key-for-local-debug-never-use-in-production"


def secret_key(*, debug: bool) -> str:
    """SECRET_KEY from the environment. Outside debug a real secret is mandatory: a guessable
    key would let anyone forge session cookies, so start-up fails rather than fall back."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if debug:
        return _DEV_SECRET_KEY
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off (production settings, or DEBUG=false) the "
        "SECRET_KEY environment variable must hold a long random secret, e.g. the output of "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'` (docs/operations.md)."
    )


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = secret_key(debug=DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where runtime state lives (SQLite file, artifacts, logs, embedded broker).
VAR_DIR = Path(os.environ.get("STUDIO_VAR_DIR", REPO_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "studio",
    "catalog",
    "pipelines",
    "runs",
    "executors",
    "datasets",
    "triggers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL=postgres://user:pass@host:5432/name selects PostgreSQL; without
# it a SQLite file under var/ keeps `make up` dependency-free.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'studio.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for locks instead of failing while web and worker both write.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The built editor (frontend/dist, Vite `base: '/static/'`) is served by
# whitenoise; index.html is served for every non-API path by studio.spa.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
FRONTEND_DIST = Path(os.environ.get("STUDIO_FRONTEND_DIST", REPO_DIR / "frontend" / "dist"))
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "studio.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "studio.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Django's sign-in page (studio/urls.py): where /api/docs/ sends a browser that is not
# signed in, with ?next= to come back. The SPA has its own page at /login.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

SPECTACULAR_SETTINGS = {
    "TITLE": "Pipeline Studio API",
    "DESCRIPTION": "Components, pipelines, runs, datasets and triggers. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page need a signed-in user like every endpoint but health
    # (drf-spectacular's default is AllowAny); studio/docs.py sends browsers to sign in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "runs.models.RunStatus",
        "StepStatusEnum": "runs.models.StepStatus",
        "TriggerKindEnum": "runs.models.TriggerKind",
        "FiringStatusEnum": "triggers.models.FiringStatus",
    },
    # Swagger UI assets are served locally (no CDN needed).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis in production and tests; without CELERY_BROKER_URL an embedded
# filesystem broker under var/ lets `make up` run a worker with nothing else.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Triggers and the reconciler have a queue of their own, which every worker consumes besides the
# default one (Celery's workers take the queues listed here unless told `-Q`): a backlog of
# thousands of steps must not hold back a schedule's tick or a dataset trigger behind it.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery", routing_key="celery"), Queue("control", routing_key="control"))
CELERY_TASK_ROUTES = {"triggers.*": {"queue": "control"}, "runs.reconcile": {"queue": "control"}}

# Engine
ARTIFACT_ROOT = Path(os.environ.get("STUDIO_ARTIFACT_ROOT", VAR_DIR / "artifacts"))
LOG_ROOT = Path(os.environ.get("STUDIO_LOG_ROOT", VAR_DIR / "logs"))
# Host path of ARTIFACT_ROOT as the Docker engine sees it (differs when the
# worker itself runs in a container and shares a volume with step containers).
ARTIFACT_HOST_ROOT = Path(os.environ.get("STUDIO_ARTIFACT_HOST_ROOT", ARTIFACT_ROOT))
COMPONENT_LIBRARY_DIR = Path(os.environ.get("STUDIO_COMPONENT_LIBRARY", REPO_DIR / "component_library"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Datasets: the largest upload accepted (bytes; docs/operations.md).
DATASET_MAX_BYTES = int(os.environ.get("STUDIO_DATASET_MAX_BYTES", str(5 * 1024**3)))
# Triggers: how often beat ticks (fires due schedules, debounced dataset triggers, lost events).
# Schedules do not wait for a tick: each tick sends `triggers.fire_schedules` with an ETA for
# fire times due before the tick after next, so they fire on the dot (docs/triggers.md).
STUDIO_SCHEDULE_TICK_SECONDS = float(os.environ.get("STUDIO_SCHEDULE_TICK_SECONDS", "5"))
# Schedules claimed and fired per transaction, and the most worker threads that share the
# schedules due at one moment (each claims its own batches).
STUDIO_SCHEDULE_BATCH = int(os.environ.get("STUDIO_SCHEDULE_BATCH", "250"))
STUDIO_SCHEDULE_FAN_OUT = int(os.environ.get("STUDIO_SCHEDULE_FAN_OUT", "4"))

# The reconciler repairs steps whose worker died (see runs/engine.py); the trigger
# tick fires schedules (see triggers/services.py). A tick older than two periods is dropped.
# How often beat runs the reconciler; also how old a worker's engine report may get (executors.selectors).
STUDIO_RECONCILE_SECONDS = float(os.environ.get("STUDIO_RECONCILE_SECONDS", "10"))
CELERY_BEAT_SCHEDULE = {
    "reconcile-runs": {"task": "runs.reconcile", "schedule": STUDIO_RECONCILE_SECONDS},
    "triggers-tick": {
        "task": "triggers.tick",
        "schedule": STUDIO_SCHEDULE_TICK_SECONDS,
        "options": {"expires": 2 * STUDIO_SCHEDULE_TICK_SECONDS},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
