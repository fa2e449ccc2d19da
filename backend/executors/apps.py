from typing import Any

from django.apps import AppConfig


class ExecutorsConfig(AppConfig):
    name = "executors"

    def ready(self) -> None:
        from celery.signals import worker_ready

        worker_ready.connect(_report_engine_at_start, weak=False, dispatch_uid="executors.engine_report")


def _report_engine_at_start(**_: Any) -> None:
    """A starting worker records its Docker engine for GET /api/health/ and keeps the record fresh."""
    from executors.services import engine_reporter_start

    engine_reporter_start()
