from typing import Any

from django.apps import AppConfig


class ExecutorsConfig(AppConfig):
    name = "executors"

    def ready(self) -> None:
        from celery.signals import worker_ready

        worker_ready.connect(_report_engine_at_start, weak=False, dispatch_uid="executors.engine_report")


# The worker consumes no task until this signal's receivers return: a Docker engine that hangs
# must not hold it for STUDIO_DOCKER_TIMEOUT (60 s). A slow engine is reported down; the
# reconciler's next pass, with the usual timeout, corrects that.
START_CHECK_TIMEOUT = 3.0


def _report_engine_at_start(**_: Any) -> None:
    """A starting worker records its Docker engine at once (GET /api/health/ reads it); the
    reconciler, which beat runs every STUDIO_RECONCILE_SECONDS, keeps the record fresh."""
    from django.db import connection

    from executors.services import engine_report_record

    engine_report_record(timeout=START_CHECK_TIMEOUT)
    connection.close()  # the main thread runs no tasks: hold no connection for it
