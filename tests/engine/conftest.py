"""Engine tests: a real Celery worker (subprocess) on Redis, real Docker, the test PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
import yaml
from django.conf import settings
from django.db import connection

from catalog.models import Component, ComponentVersion
from pipelines.models import Pipeline, PipelineVersion
from runs.models import RUN_TERMINAL, Run
from tests.conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]
BASE_IMAGE = "pipeline-studio/base:1"


def docker_client() -> docker.DockerClient:
    return docker.from_env()


def containers_of(run_id: int) -> list[Any]:
    """This installation's containers of a run (other databases on the engine reuse run ids)."""
    from runs.engine import installation_id

    labels = [f"studio.run={run_id}", f"studio.installation={installation_id()}"]
    for _ in range(5):
        try:
            return docker_client().containers.list(all=True, filters={"label": labels})
        except docker.errors.NotFound:
            continue  # one was removed between the listing and its inspection: ask again
    return docker_client().containers.list(all=True, filters={"label": labels})


def no_containers_left(run_id: int, timeout: float = 10) -> None:
    """Waits until no container of the run is left (the last step's worker removes its container right
    after recording the step, which may close the run)."""
    wait_until(lambda: not containers_of(run_id), timeout=timeout, what=f"no containers of run {run_id}")


@pytest.fixture(scope="session")
def docker_ready() -> None:
    try:
        client = docker_client()
        client.ping()
        client.images.get(BASE_IMAGE)
    except Exception as exc:  # noqa: BLE001
        skip_or_fail(f"engine tests need a Docker engine and {BASE_IMAGE}: {exc}. Run `make test` (it provisions both).")


class Worker:
    """A `celery worker` subprocess pointed at the test database."""

    def __init__(self, env: dict[str, str], log: Path, beat: bool = False) -> None:
        self.env, self.log, self.beat = env, log, beat
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        args = [sys.executable, "-m", "celery", "-A", "studio", "worker", "--pool", "threads",
                "--concurrency", "12", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                "--hostname", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"]
        if self.beat:
            args += ["--beat", "--schedule", str(self.log.with_suffix(".beat"))]
        handle = open(self.log, "ab")
        self.proc = subprocess.Popen(args, cwd=REPO / "backend", env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"ready." in self.log.read_bytes():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"worker did not become ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def worker_env(django_db_setup, docker_ready, tmp_path_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "STUDIO_VAR_DIR": str(settings.VAR_DIR),
            "STUDIO_ARTIFACT_ROOT": str(settings.ARTIFACT_ROOT),
            "STUDIO_LOG_ROOT": str(settings.LOG_ROOT),
            "STUDIO_HEARTBEAT_SECONDS": "1",
            "STUDIO_STALE_SECONDS": "4",
            "STUDIO_RECONCILE_SECONDS": "1",
            "STUDIO_ABORT_GRACE_SECONDS": "2",
            "STUDIO_RETRY_BACKOFF_SECONDS": "0.2",
            "DB_CONN_MAX_AGE": "0",
            "PYTHONPATH": str(REPO / "backend"),
        }
    )
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "engine tests need CELERY_BROKER_URL=redis://..."
    # Messages left by an interrupted earlier session would point at rows that no longer exist.
    from studio.celery import app

    app.control.purge()
    return env


class SharedWorker:
    """One worker for the whole session, started on first use; a test that needs to be
    the only consumer of the queue (the kill -9 test) stops it, and the next user restarts it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.current: Worker | None = None

    def ensure(self) -> Worker:
        if self.current is None or self.current.proc is None or self.current.proc.poll() is not None:
            self.current = Worker(self.env, self.log).start()
            _STARTED.append(self)
        return self.current

    @property
    def running(self) -> bool:
        return self.current is not None and self.current.proc is not None and self.current.proc.poll() is None

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None


_STARTED: list[SharedWorker] = []


def a_worker_is_running() -> bool:
    """Whether a test worker consumes the queue now (it outlives the test that started it)."""
    return any(shared.running for shared in _STARTED)


@pytest.fixture(scope="session")
def shared_worker(worker_env, tmp_path_factory) -> Iterator[SharedWorker]:  # type: ignore[no-untyped-def]
    shared = SharedWorker(worker_env, tmp_path_factory.mktemp("worker") / "worker.log")
    yield shared
    shared.stop()


@pytest.fixture
def worker(shared_worker: SharedWorker) -> Iterator[Worker]:
    yield shared_worker.ensure()
    settle()


def package_worker_fixtures(label: str) -> tuple[Any, Any]:
    """`shared_worker` and `worker` fixtures for another test package: its own worker, stopped when
    the package is done, so no two packages' workers consume the queue at once."""

    @pytest.fixture(scope="package")
    def shared_worker(worker_env, tmp_path_factory) -> Iterator[SharedWorker]:  # type: ignore[no-untyped-def]
        shared = SharedWorker(worker_env, tmp_path_factory.mktemp(f"{label}-worker") / "worker.log")
        yield shared
        shared.stop()

    @pytest.fixture
    def worker(shared_worker: SharedWorker) -> Iterator[Worker]:
        yield shared_worker.ensure()
        settle()

    return shared_worker, worker


def wait_until(condition: Callable[[], Any], timeout: float = 60, interval: float = 0.2, what: str = "condition") -> Any:
    """Polls `condition` until it returns something truthy (returned), or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not met within {timeout}s")


def settle(timeout: float = 15) -> None:
    """Waits for the worker to drain the queue, so no task of this test still holds locks when the
    test database is flushed (TRUNCATE would deadlock with it)."""
    from studio.celery import app

    deadline = time.monotonic() + timeout
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        while client.llen("celery") and time.monotonic() < deadline:
            time.sleep(0.1)
    time.sleep(0.5)  # the last task received is finishing


@pytest.fixture
def no_other_worker(shared_worker: SharedWorker) -> None:
    shared_worker.stop()


def make_component(name: str, spec: dict[str, Any] | str) -> ComponentVersion:
    if isinstance(spec, str):
        spec = yaml.safe_load(spec)
    spec = {"name": name, **spec}
    component, _ = Component.objects.get_or_create(name=name)
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    existing = component.versions.filter(digest=digest).first()
    if existing:
        return existing
    number = component.versions.count() + 1
    image = spec.get("implementation", {}).get("container", {}).get("image", "")
    return ComponentVersion.objects.create(component=component, version=number, digest=digest, spec=spec, image=image)


def make_pipeline(name: str, nodes: list[dict[str, Any]], parameters: list[dict[str, Any]] | None = None) -> Pipeline:
    pipeline = Pipeline.objects.create(name=name)
    PipelineVersion.objects.create(
        pipeline=pipeline, number=1, graph={"schema_version": 1, "nodes": nodes}, parameters=parameters or [], digest="x"
    )
    return pipeline


def wait_for_run(run_id: int, timeout: float = 120, statuses: frozenset[str] = RUN_TERMINAL) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = Run.objects.get(pk=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.2)
    steps = list(Run.objects.get(pk=run_id).steps.values("node_id", "status", "error"))
    raise AssertionError(f"run {run_id} still {run.status} after {timeout}s: {steps}")


SHELL = """
inputs:
- {name: script, type: String}
- {name: data, type: File, optional: true}
outputs:
- {name: out, type: File}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c]
    args:
    - {inputValue: script}
    - {outputPath: out}
    - if: {cond: {isPresent: data}, then: [{inputPath: data}]}
resources: {cpu: 1, memory: 256Mi}
"""


@pytest.fixture
def shell_component(db) -> ComponentVersion:  # type: ignore[no-untyped-def]
    """A step that runs a Python snippet: sys.argv[1] is its output path, sys.argv[2] its input."""
    return make_component("python snippet", SHELL)


def node(node_id: str, cv: ComponentVersion, script: str, upstream: str | None = None, **extra: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"script": {"value": script}}
    if upstream:
        arguments["data"] = {"from": {"node": upstream, "output": "out"}}
    return {"id": node_id, "component_version": cv.pk, "position": {"x": 0, "y": 0}, "arguments": arguments, **extra}


def assert_hardened(container: Any, *, memory: int, nano_cpus: int) -> None:
    """The hardening every step container gets, a normal start or a standby (docs/operations.md)."""
    host, config = container.attrs["HostConfig"], container.attrs["Config"]
    assert host["NetworkMode"] == "none"
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] and host["PidsLimit"] > 0
    assert host["Memory"] == memory
    assert host["MemorySwap"] == memory  # no swap beyond the limit
    assert host["NanoCpus"] == nano_cpus
    assert host["ReadonlyRootfs"] is True
    assert "/tmp" in host["Tmpfs"]
    assert host["Init"] is True
    assert config["User"] == "1000:1000"


def mounts_of(container: Any) -> dict[str, dict[str, Any]]:
    """The container's mounts by their path inside it."""
    return {m["Destination"]: m for m in container.attrs["Mounts"]}
