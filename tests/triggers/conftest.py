"""Helpers for trigger tests: a package-scoped Celery worker, pipelines, waiting for runs to appear."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from runs.models import Run
from tests.engine.conftest import (  # noqa: F401 - fixtures, shared with the engine tests
    SharedWorker,
    Worker,
    docker_ready,
    make_component,
    shell_component,
    worker_env,
)


@pytest.fixture(scope="package")
def shared_worker(worker_env, tmp_path_factory) -> Iterator[SharedWorker]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A Celery worker for this package's engine tests, stopped when the package is done."""
    shared = SharedWorker(worker_env, tmp_path_factory.mktemp("triggers-worker") / "worker.log")
    yield shared
    shared.stop()


@pytest.fixture
def worker(shared_worker: SharedWorker) -> Iterator[Worker]:
    yield shared_worker.ensure()
    settle()


def settle(timeout: float = 15) -> None:
    """Waits for the worker to drain the queue, so no task of this test still holds locks when the
    test database is flushed (TRUNCATE would deadlock with it)."""
    import time

    from studio.celery import app

    deadline = time.monotonic() + timeout
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        while client.llen("celery") and time.monotonic() < deadline:
            time.sleep(0.1)
    time.sleep(0.5)  # the last task received is finishing


def wait_until(condition: Callable[[], Any], timeout: float = 60, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def runs_of(pipeline: Any) -> list[Run]:
    return list(Run.objects.filter(pipeline=pipeline).order_by("id"))


# Writes its metrics from the `accuracy` parameter.
EVALUATE = """
inputs:
- {name: accuracy, type: Float}
outputs:
- {name: metrics, type: Metrics}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c]
    args:
    - "import json, sys; json.dump({'accuracy': float(sys.argv[1]), 'f1': 0.5}, open(sys.argv[2], 'w'))"
    - {inputValue: accuracy}
    - {outputPath: metrics}
resources: {cpu: 1, memory: 256Mi}
"""
