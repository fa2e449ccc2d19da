"""Writes of the executors app."""

from __future__ import annotations

import logging
import socket
from typing import Any

from django.utils import timezone

from executors.models import EngineReport

logger = logging.getLogger(__name__)


def engine_report_record() -> dict[str, Any]:
    """Checks this worker's Docker engine and records what it saw, for GET /api/health/.
    Called when a worker starts and on each reconciler pass; never raises."""
    from executors.selectors import engine_status

    status = engine_status()
    try:
        EngineReport.objects.update_or_create(
            worker=socket.gethostname()[:255],
            defaults={
                "ok": bool(status.get("ok")),
                "version": str(status.get("version") or "")[:100],
                "error": str(status.get("error") or "")[:4000],
                "checked_at": timezone.now(),
            },
        )
    except Exception:  # noqa: BLE001 - a missed report only makes health look older
        logger.warning("could not record the Docker engine's status", exc_info=True)
    return status
