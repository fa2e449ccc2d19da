"""Helpers for trigger tests: a package-scoped Celery worker, pipelines, waiting for runs to appear."""

from __future__ import annotations

from typing import Any

from runs.models import Run
from tests.engine.conftest import (  # noqa: F401 - fixtures, shared with the engine tests
    docker_ready,
    make_component,
    package_worker_fixtures,
    shell_component,
    wait_until,
    worker_env,
)

shared_worker, worker = package_worker_fixtures("triggers")


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
