"""Run list and detail cost a fixed number of SQL queries, whatever the number of steps or runs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from runs.models import Artifact, Run, StepRun
from tests.engine.conftest import make_pipeline, node

pytestmark = pytest.mark.django_db


def make_run(pipeline, steps: int, cv) -> Run:
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="completed")
    for i in range(steps):
        step = StepRun.objects.create(run=run, node_id=f"n{i}", component_version=cv, status="completed")
        Artifact.objects.create(run=run, step=step, name="out", sha256="0" * 64, uri="store://x")
    return run


def queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_run_detail_queries_do_not_grow_with_steps(api, shell_component):
    pipeline = make_pipeline("many", [node(f"n{i}", shell_component, "pass") for i in range(12)])
    small, large = make_run(pipeline, 2, shell_component), make_run(pipeline, 12, shell_component)
    # A retry's cached steps show the outputs they reused.
    cached = StepRun.objects.filter(run=large).first()
    retry = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), retry_of=large)
    StepRun.objects.create(run=retry, node_id="n0", component_version=shell_component, status="cached", cached_from=cached)

    assert queries(api, f"/api/runs/{small.pk}/") == queries(api, f"/api/runs/{large.pk}/")
    body = api.get(f"/api/runs/{retry.pk}/").json()
    assert body["steps"][0]["outputs"][0]["name"] == "out"


def test_run_list_queries_do_not_grow_with_page_size(api, shell_component):
    pipeline = make_pipeline("list", [node("n0", shell_component, "pass")])
    for _ in range(30):
        make_run(pipeline, 3, shell_component)

    assert queries(api, "/api/runs/?page_size=5") == queries(api, "/api/runs/?page_size=30")
