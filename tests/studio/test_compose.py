"""docker-compose.yml is a valid stack description given its one required variable, SECRET_KEY.

`make test` installs Debian's docker-compose (1.29) when it is absent, so in CI (CI set, or
STUDIO_REQUIRE_DOCKER) a missing binary is a failure; on a developer's machine without it the check is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]


def docker_compose() -> list[str]:
    """Debian's docker-compose (1.29), or the `docker compose` plugin where that is installed."""
    binary = shutil.which("docker-compose")
    if binary is not None:
        return [binary]
    docker = shutil.which("docker")
    if docker is not None and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    message = "docker-compose is not installed (Debian: apt-get install docker-compose; make test does it as root)"
    skip_or_fail(message)


def compose_config(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run([*docker_compose(), "-f", str(REPO / "docker-compose.yml"), "config", *args],
                          cwd=REPO, env=environ, capture_output=True, text=True, timeout=120)


def test_compose_config_accepts_the_file_with_only_a_secret_key() -> None:
    done = compose_config("-q", SECRET_KEY="s3cret-from-the-operator")
    assert done.returncode == 0, done.stderr


def test_without_a_secret_key_compose_refuses_naming_it() -> None:
    # Nothing starts (services would otherwise restart forever on Django's own refusal).
    done = compose_config("-q")
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_the_stack_runs_production_settings_with_the_operators_key() -> None:
    done = compose_config(SECRET_KEY="s3cret-from-the-operator")
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "studio.settings.production"
        assert environment["SECRET_KEY"] == "s3cret-from-the-operator"
