"""Read-only questions about the execution backend."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.utils import timezone

from executors.base import Launcher


def get_launcher() -> Launcher:
    from executors.docker_engine import DockerLauncher

    return DockerLauncher()


def engine_status(*, timeout: float | None = None) -> dict[str, Any]:
    """Asks this process's Docker engine directly."""
    from executors.docker_engine import engine_status as docker_status

    return docker_status(timeout=timeout)


def engine_report_max_age() -> float:
    """A worker's engine report older than this is stale: three reconciler periods, at least a minute."""
    period = float(os.environ.get("STUDIO_RECONCILE_SECONDS", getattr(settings, "STUDIO_RECONCILE_SECONDS", 10)))
    return max(60.0, 3 * period)


def engine_health() -> dict[str, Any]:
    """The Docker engine as the workers see it, for GET /api/health/.

    The freshest worker report (written at worker start and on each reconciler pass) when it is
    recent; otherwise a direct check from this process, which works where the Docker socket is
    reachable (a single-machine `make up`, the tests) but not in the web container of
    docker-compose.yml, which has no socket."""
    from executors.models import EngineReport

    report = EngineReport.objects.order_by("-checked_at").first()
    max_age = engine_report_max_age()
    age = (timezone.now() - report.checked_at).total_seconds() if report else None
    if report is not None and age is not None and age <= max_age:
        seen: dict[str, Any] = {"ok": report.ok, "source": "worker", "worker": report.worker,
                                "checked_at": report.checked_at.isoformat(), "age_seconds": round(age, 1)}
        if report.ok:
            seen["version"] = report.version
        else:
            seen["error"] = report.error
        return seen
    direct = engine_status(timeout=3)
    if direct["ok"]:
        return {**direct, "source": "direct"}
    if report is None:
        why = "no worker has reported its Docker engine yet"
    else:
        why = f"the last worker report ({report.worker}) is {age:.0f}s old (older than {max_age:.0f}s)"
    return {"ok": False, "source": "direct", "error": f"{why}, and this process cannot reach Docker: {direct.get('error')}",
            **({"age_seconds": round(age, 1), "worker": report.worker} if report is not None and age is not None else {})}
