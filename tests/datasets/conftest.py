"""Helpers for dataset tests: components that read a dataset and write a model or metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalog.models import ComponentVersion
from datasets.models import Dataset
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
    shared = SharedWorker(worker_env, tmp_path_factory.mktemp("datasets-worker") / "worker.log")
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

IRIS = b"sepal_length,sepal_width,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,3.3,virginica\n"
IRIS_V2 = IRIS + b"5.8,2.7,virginica\n"

# Reads a Dataset, writes a "model" that names the rows it saw and the data's hash.
TRAIN = """
inputs:
- {name: data, type: Dataset}
outputs:
- {name: model, type: Model}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c]
    args:
    - |
      import hashlib, sys
      raw = open(sys.argv[1], 'rb').read()
      rows = len(raw.decode().splitlines()) - 1
      open(sys.argv[2], 'w').write('model of %d rows from %s' % (rows, hashlib.sha256(raw).hexdigest()))
    - {inputPath: data}
    - {outputPath: model}
resources: {cpu: 1, memory: 256Mi}
"""


def train_component() -> ComponentVersion:
    return make_component("train on dataset", TRAIN)


def dataset_node(node_id: str, cv: ComponentVersion, dataset: Dataset, *, input_name: str = "data",
                 version: int | str = "latest", **extra: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "component_version": cv.pk,
        "position": {"x": 0, "y": 0},
        "arguments": {input_name: {"dataset": {"id": dataset.pk, "version": version}}},
        **extra,
    }


def upload(api: Any, dataset_id: int, content: bytes, filename: str = "data.csv", **extra: Any) -> Any:
    import io

    handle = io.BytesIO(content)
    handle.name = filename
    return api.post(f"/api/datasets/{dataset_id}/versions/", {"file": handle, **extra}, format="multipart")
