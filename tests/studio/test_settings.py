"""Settings come from the environment: each case starts a fresh Python process with only the
variables it names, since settings are read once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2] / "backend"
A_SECRET = "k3Yq-8vT_pZ2mW9xL4cN7bR1sD6fH0jG5aE3uI8oP2yK7tV9qX4wZ1nM6"

PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'DEBUG': settings.DEBUG, 'ENGINE': settings.DATABASES['default']['ENGINE'], "
    "'NAME': str(settings.DATABASES['default']['NAME']), 'SECRET_KEY': settings.SECRET_KEY, "
    "'WHITENOISE_USE_FINDERS': settings.WHITENOISE_USE_FINDERS}))"
)


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python <args>` in backend/ with a minimal environment (no DATABASE_URL, SECRET_KEY, ... from ours)."""
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
               "STUDIO_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "studio.settings", **env}
    return subprocess.run([sys.executable, *args], cwd=BACKEND, env=environ, capture_output=True, text=True, timeout=120)


def settings_in(tmp_path: Path, **env: str) -> dict[str, object]:
    done = run(["-c", PRINT_SETTINGS], tmp_path, **env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("secret", [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": "  "}], ids=["unset", "empty", "blank"])
def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path, secret: dict[str, str]) -> None:
    done = run(["manage.py", "check"], tmp_path, DJANGO_SETTINGS_MODULE="studio.settings.production", **secret)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY is not set" in done.stderr


def test_production_ignores_debug_from_the_environment_for_the_secret_key(tmp_path: Path) -> None:
    # The package __init__ runs first with DEBUG as the environment says; production must not
    # inherit the development key from it.
    done = run(["manage.py", "check"], tmp_path, DJANGO_SETTINGS_MODULE="studio.settings.production", DEBUG="true")
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_production_with_a_key_passes_the_deployment_checks(tmp_path: Path) -> None:
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
               DJANGO_SETTINGS_MODULE="studio.settings.production", SECRET_KEY=A_SECRET)
    assert done.returncode == 0, done.stdout + done.stderr
    values = settings_in(tmp_path, DJANGO_SETTINGS_MODULE="studio.settings.production", SECRET_KEY=A_SECRET)
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == A_SECRET
    assert values["WHITENOISE_USE_FINDERS"] is False


def test_the_development_key_would_fail_the_deployment_checks(tmp_path: Path) -> None:
    dev_key = settings_in(tmp_path)["SECRET_KEY"]
    assert isinstance(dev_key, str) and dev_key.startswith("django-insecure-")
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
               DJANGO_SETTINGS_MODULE="studio.settings.production", SECRET_KEY=dev_key)
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


def test_debug_off_without_a_key_is_refused_outside_production_settings_too(tmp_path: Path) -> None:
    done = run(["-c", PRINT_SETTINGS], tmp_path, DEBUG="false")
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_no_configuration_means_debug_on_sqlite_under_the_var_dir(tmp_path: Path) -> None:
    values = settings_in(tmp_path)
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(tmp_path / "var" / "studio.sqlite3")
    assert values["WHITENOISE_USE_FINDERS"] is True


def test_a_postgres_database_url_selects_postgresql(tmp_path: Path) -> None:
    values = settings_in(tmp_path, DATABASE_URL="postgres://studio:secret@db.example:5433/studio_prod")
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "studio_prod"
