"""Writes of the executors app."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from executors.models import EngineReport

logger = logging.getLogger(__name__)

# A worker host that has not reported for this long is gone (renamed, scaled down): its row goes.
ENGINE_REPORT_KEEP = timedelta(days=1)
# How long one check may wait for the engine; a slower one is recorded as down until the next.
REPORT_CHECK_SECONDS = 10.0


def engine_reporter_start() -> Callable[[], None]:
    """Keeps this worker's report fresh: records its Docker engine now and every
    STUDIO_RECONCILE_SECONDS, in a thread of its own, so every worker host has a current row
    (a task would reach one worker per beat) and no check, however slow, holds the worker up.
    Returns a function that stops the reporter and waits for it."""
    stop = threading.Event()
    thread = threading.Thread(target=_report_until, args=(stop,), name="engine-reporter", daemon=True)
    thread.start()

    def stop_reporting() -> None:
        stop.set()
        thread.join()

    return stop_reporting


def _report_until(stop: threading.Event) -> None:
    while True:
        engine_report_record(timeout=REPORT_CHECK_SECONDS)
        connection.close()  # this thread's own connection: none held between reports
        if stop.wait(float(settings.STUDIO_RECONCILE_SECONDS)):
            return


def engine_report_record(*, timeout: float | None = None) -> dict[str, Any]:
    """Checks this worker's Docker engine and records what it saw, for GET /api/health/, and
    removes the reports of workers silent for a day. Never raises."""
    from executors.selectors import engine_status

    status = engine_status(timeout=timeout)
    now = timezone.now()
    try:
        EngineReport.objects.update_or_create(
            worker=socket.gethostname()[:255],
            defaults={
                "ok": bool(status.get("ok")),
                "version": str(status.get("version") or "")[:100],
                "error": str(status.get("error") or "")[:4000],
                "checked_at": now,
            },
        )
        EngineReport.objects.filter(checked_at__lt=now - ENGINE_REPORT_KEEP).delete()
    except Exception:  # noqa: BLE001 - a missed report only makes health look older
        logger.warning("could not record the Docker engine's status", exc_info=True)
    return status
