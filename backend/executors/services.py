"""Writes of the executors app."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from typing import Any

from django.utils import timezone

from executors.models import EngineReport

logger = logging.getLogger(__name__)

# A worker host that has not reported for this long is gone (renamed, scaled down): its row goes.
ENGINE_REPORT_KEEP = timedelta(days=1)


def engine_report_record(*, timeout: float | None = None) -> dict[str, Any]:
    """Checks this worker's Docker engine and records what it saw, for GET /api/health/, and
    removes the reports of workers silent for a day. Called when a worker starts (with a short
    `timeout`: a hung engine must not hold up the start) and on each reconciler pass; never raises."""
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
