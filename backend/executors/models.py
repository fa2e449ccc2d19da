"""Step state lives on runs.StepRun; the executor keeps only what workers last saw of their engine."""

from __future__ import annotations

from django.db import models


class EngineReport(models.Model):
    """The Docker engine as one worker machine last saw it (one row per worker host).

    Workers write it when they start and every STUDIO_RECONCILE_SECONDS (removing rows a day old);
    GET /api/health/ combines the fresh rows (executors.selectors.engine_health), so the web
    process, which has no Docker socket in docker-compose.yml, reports the engine the steps
    actually run on."""

    worker = models.CharField(max_length=255, unique=True)  # the worker's host name
    ok = models.BooleanField()
    version = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    checked_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker}: {'ok' if self.ok else 'down'} at {self.checked_at:%Y-%m-%d %H:%M:%S}"
