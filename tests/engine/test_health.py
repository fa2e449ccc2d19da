"""GET /api/health/ reports the Docker engine as the workers see it (executors.selectors.engine_health)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from executors.models import EngineReport
from executors.selectors import engine_report_max_age
from tests.engine.conftest import Worker, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]


def test_health_reports_a_working_docker_engine(anon, docker_ready):
    body = anon.get("/api/health/").json()

    assert body["docker"]["ok"] is True, body
    assert body["docker"]["version"]


def test_a_web_process_without_the_docker_socket_reports_the_engine_the_workers_see(
        anon, worker_env, no_other_worker, tmp_path, monkeypatch):
    """As in docker-compose.yml: the web service has no socket, the workers do."""
    EngineReport.objects.all().delete()
    own = Worker(worker_env, tmp_path / "health.log").start()
    try:
        # A worker records its engine when it starts ...
        report = wait_until(lambda: EngineReport.objects.first(), timeout=20, what="the worker's engine report")
        assert report.ok and report.version and report.worker == socket.gethostname()

        monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")  # this process: no Docker
        docker = anon.get("/api/health/").json()["docker"]
        assert docker["ok"] is True and docker["source"] == "worker", docker
        assert docker["version"] == report.version and docker["age_seconds"] < 30

        # ... and again on each reconciler pass.
        EngineReport.objects.all().delete()
        from studio.celery import app

        app.send_task("runs.reconcile")
        wait_until(lambda: EngineReport.objects.exists(), timeout=20, what="the reconciler's engine report")
    finally:
        own.stop()

    # A stale report is not taken for the engine's state: the direct check decides, and fails here.
    EngineReport.objects.update(checked_at=timezone.now() - timedelta(seconds=engine_report_max_age() + 5))
    body = anon.get("/api/health/").json()
    assert body["docker"]["ok"] is False and body["status"] == "degraded"
    assert "old" in body["docker"]["error"] and "cannot reach Docker" in body["docker"]["error"]
