"""Helpers for dataset tests: components that read a dataset and write a model or metrics."""

from __future__ import annotations

from typing import Any

from catalog.models import ComponentVersion
from datasets.models import Dataset
from tests.engine.conftest import (  # noqa: F401 - fixtures, shared with the engine tests
    docker_ready,
    make_component,
    package_worker_fixtures,
    shell_component,
    worker_env,
)

shared_worker, worker = package_worker_fixtures("datasets")

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
