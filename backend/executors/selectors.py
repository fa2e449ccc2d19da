"""Read-only questions about the execution backend."""

from __future__ import annotations

from typing import Any

from executors.base import Launcher


def get_launcher() -> Launcher:
    from executors.docker_engine import DockerLauncher

    return DockerLauncher()


def engine_status() -> dict[str, Any]:
    from executors.docker_engine import engine_status as docker_status

    return docker_status()
