"""GET /api/health/ reports the Docker engine as the workers see it (executors.selectors.engine_health)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from executors import services
from executors.models import EngineReport
from executors.selectors import engine_report_max_age
from executors.services import engine_report_record
from tests.engine.conftest import Worker, wait_until

# Marks per test: only the tests that reach a real engine need Docker; a worker or the reporter thread
# writes from its own connection, so those need transaction=True; the rest use the test's transaction.


@pytest.fixture
def no_docker_here(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """This process cannot reach Docker, so what health says comes from the workers' reports."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")


@pytest.mark.django_db
@pytest.mark.docker
def test_health_reports_a_working_docker_engine(anon, docker_ready):
    body = anon.get("/api/health/").json()

    assert body["docker"]["ok"] is True, body
    assert body["docker"]["version"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_web_process_without_the_docker_socket_reports_the_engine_the_workers_see(
        anon, worker_env, no_other_worker, no_docker_here, tmp_path):
    """As in docker-compose.yml: the web service has no socket, the workers do."""
    EngineReport.objects.all().delete()
    own = Worker({**worker_env, "STUDIO_RECONCILE_SECONDS": "1"}, tmp_path / "health.log").start()
    try:
        # A worker records its engine when it starts ...
        report = wait_until(lambda: EngineReport.objects.first(), timeout=20, what="the worker's engine report")
        assert report.ok and report.version and report.worker == socket.gethostname()

        # This process has no Docker (no_docker_here; the worker's environment was made before).
        docker = anon.get("/api/health/").json()["docker"]
        assert docker["ok"] is True and docker["source"] == "worker", docker
        assert docker["version"] == report.version and docker["age_seconds"] < 30

        # ... and again every STUDIO_RECONCILE_SECONDS (1 s for this worker), with no task asking.
        EngineReport.objects.all().delete()
        wait_until(lambda: EngineReport.objects.exists(), timeout=20, what="the worker's next engine report")
    finally:
        own.stop()

    # A stale report is not taken for the engine's state: the direct check decides, and fails here.
    EngineReport.objects.update(checked_at=timezone.now() - timedelta(seconds=engine_report_max_age() + 5))
    body = anon.get("/api/health/").json()
    assert body["docker"]["ok"] is False and body["status"] == "degraded"
    assert "old" in body["docker"]["error"] and "cannot reach Docker" in body["docker"]["error"]


# --------------------------------------------------------------------------- several worker hosts


def report(worker: str, *, ok: bool, seconds_ago: float, error: str = "") -> EngineReport:
    return EngineReport.objects.create(worker=worker, ok=ok, version="27.1.1" if ok else "", error=error,
                                       checked_at=timezone.now() - timedelta(seconds=seconds_ago))


@pytest.mark.django_db
@pytest.mark.parametrize(("up_ago", "down_ago"), [(5, 1), (1, 5)], ids=["the down worker wrote last",
                                                                      "the ok worker wrote last"])
def test_one_worker_down_among_several_is_listed_and_the_engine_is_ok(anon, no_docker_here, up_ago, down_ago):
    """The same answer whichever worker wrote last."""
    EngineReport.objects.all().delete()
    report("worker-a", ok=True, seconds_ago=up_ago)
    report("worker-b", ok=False, seconds_ago=down_ago, error="Cannot connect to the Docker daemon")

    body = anon.get("/api/health/").json()

    docker = body["docker"]
    assert body["status"] == "ok" and docker["ok"] is True and docker["source"] == "worker", docker
    assert docker["version"] == "27.1.1" and docker["worker"] == "worker-a"
    assert docker["workers_ok"] == ["worker-a"]
    [down] = docker["workers_down"]
    assert down["worker"] == "worker-b" and down["error"] == "Cannot connect to the Docker daemon"
    assert 0 <= down["age_seconds"] < 30


@pytest.mark.django_db
def test_the_engine_is_down_when_every_fresh_worker_says_so(anon, no_docker_here):
    EngineReport.objects.all().delete()
    report("worker-a", ok=False, seconds_ago=3, error="permission denied")
    report("worker-b", ok=False, seconds_ago=1, error="Cannot connect")
    report("worker-c", ok=True, seconds_ago=engine_report_max_age() + 5)  # stale: not counted

    body = anon.get("/api/health/").json()

    docker = body["docker"]
    assert body["status"] == "degraded" and docker["ok"] is False and docker["source"] == "worker", docker
    assert [d["worker"] for d in docker["workers_down"]] == ["worker-b", "worker-a"]
    assert "worker-a: permission denied" in docker["error"] and "worker-b: Cannot connect" in docker["error"]
    assert "worker-c" not in str(docker)


def test_the_staleness_limit_follows_the_reconcile_period_in_the_settings(settings, monkeypatch):
    monkeypatch.setenv("STUDIO_RECONCILE_SECONDS", "1000")  # the settings, not the environment, decide
    settings.STUDIO_RECONCILE_SECONDS = 10
    assert engine_report_max_age() == 60  # at least a minute
    settings.STUDIO_RECONCILE_SECONDS = 40
    assert engine_report_max_age() == 120  # three periods


@pytest.mark.django_db
@pytest.mark.docker
def test_recording_a_report_removes_workers_silent_for_a_day(docker_ready):
    EngineReport.objects.all().delete()
    report("scaled-down", ok=True, seconds_ago=25 * 3600)
    report("quiet-for-hours", ok=False, seconds_ago=20 * 3600)

    engine_report_record(timeout=3)

    assert sorted(EngineReport.objects.values_list("worker", flat=True)) == sorted(
        ["quiet-for-hours", socket.gethostname()])
    assert EngineReport.objects.get(worker=socket.gethostname()).ok is True


# --------------------------------------------------------------------------- who records it, and how fast


@pytest.fixture
def hung_docker(tmp_path, monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A Docker socket that accepts connections and never answers, as a wedged engine does."""
    path = tmp_path / "hung.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(16)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    monkeypatch.setenv("STUDIO_DOCKER_TIMEOUT", "60")
    try:
        yield
    finally:
        server.close()


@pytest.mark.django_db(transaction=True)  # the reporter writes from its own thread and connection
def test_the_reporter_never_holds_up_its_worker_and_records_a_hung_engine_as_down(hung_docker, settings, monkeypatch):
    settings.STUDIO_RECONCILE_SECONDS = 0.2
    monkeypatch.setattr(services, "REPORT_CHECK_SECONDS", 1.0)  # the hung engine is given up on sooner
    EngineReport.objects.all().delete()
    started = time.monotonic()
    stop = services.engine_reporter_start()
    try:
        assert time.monotonic() - started < 0.5, "starting the reporter waited for the engine"
        seen = wait_until(lambda: EngineReport.objects.filter(worker=socket.gethostname()).first(), timeout=10,
                          what="the report of the hung engine")
        assert seen.ok is False and seen.error
    finally:
        stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_the_reporter_keeps_the_report_fresh(docker_ready, settings):
    settings.STUDIO_RECONCILE_SECONDS = 0.2
    EngineReport.objects.all().delete()
    stop = services.engine_reporter_start()
    try:
        first = wait_until(lambda: EngineReport.objects.filter(worker=socket.gethostname()).first(), timeout=10,
                           what="the first report")
        assert first.ok is True
        wait_until(lambda: EngineReport.objects.get(pk=first.pk).checked_at > first.checked_at, timeout=10,
                   what="a newer report")
    finally:
        stop()
