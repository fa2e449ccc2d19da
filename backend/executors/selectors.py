"""Read-only questions about the execution backend."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from executors.base import Launcher

if TYPE_CHECKING:
    from executors.models import EngineReport


def get_launcher() -> Launcher:
    from executors.docker_engine import DockerLauncher

    return DockerLauncher()


def engine_status(*, timeout: float | None = None) -> dict[str, Any]:
    """Asks this process's Docker engine directly."""
    from executors.docker_engine import engine_status as docker_status

    return docker_status(timeout=timeout)


# How long the web process may wait when it asks Docker itself (a health request waits on it).
DIRECT_CHECK_SECONDS = 3.0


def engine_report_max_age() -> float:
    """A worker's engine report older than this is stale: three reconciler periods, at least a minute.

    The period is settings.STUDIO_RECONCILE_SECONDS, the reconciler's beat period (it writes the
    reports), so the web process and the workers agree on it."""
    return max(60.0, 3 * float(settings.STUDIO_RECONCILE_SECONDS))


def engine_health() -> dict[str, Any]:
    """The Docker engine as the workers see it, for GET /api/health/.

    Every worker host keeps one report (written at its start and every STUDIO_RECONCILE_SECONDS); all
    fresh ones count. The engine is ok when any fresh worker reaches its engine: steps run there.
    Workers whose engine is down are listed by name (`workers_down`), so one broken host among
    several shows without the answer flipping with whichever host wrote last. With no fresh
    report, a direct check from this process decides, which works where the Docker socket is
    reachable (a single-machine `make up`, the tests) but not in the web container of
    docker-compose.yml, which has no socket."""
    from executors.models import EngineReport

    now = timezone.now()
    max_age = engine_report_max_age()
    reports = EngineReport.objects.order_by("-checked_at")
    fresh = list(reports.filter(checked_at__gte=now - timedelta(seconds=max_age)))
    if fresh:
        return _from_reports(fresh, now)
    direct = engine_status(timeout=DIRECT_CHECK_SECONDS)
    if direct["ok"]:
        return {**direct, "source": "direct"}
    seen: dict[str, Any] = {"ok": False, "source": "direct"}
    newest = reports.first()
    if newest is None:
        why = "no worker has reported its Docker engine yet"
    else:
        seen.update(worker=newest.worker, age_seconds=_age(newest, now))
        why = f"the last worker report ({newest.worker}) is {seen['age_seconds']:.0f}s old (older than {max_age:.0f}s)"
    return {**seen, "error": f"{why}, and this process cannot reach Docker: {direct.get('error')}"}


def _age(report: EngineReport, now: datetime) -> float:
    return round((now - report.checked_at).total_seconds(), 1)


def _from_reports(fresh: list[EngineReport], now: datetime) -> dict[str, Any]:
    """The engine from the fresh reports, newest first: ok when any worker's engine is."""
    up = [report for report in fresh if report.ok]
    down = [{"worker": report.worker, "error": report.error, "age_seconds": _age(report, now)}
            for report in fresh if not report.ok]
    newest = up[0] if up else fresh[0]
    seen: dict[str, Any] = {
        "ok": bool(up), "source": "worker", "worker": newest.worker,
        "checked_at": newest.checked_at.isoformat(), "age_seconds": _age(newest, now),
        "workers_ok": [report.worker for report in up], "workers_down": down,
    }
    if up:
        seen["version"] = newest.version
    else:
        named = "; ".join(f"{d['worker']}: {d['error']}" for d in down)
        seen["error"] = f"no worker reaches its Docker engine: {named}"
    return seen
