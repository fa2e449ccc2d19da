"""A run list item is the run's detail without its graph and steps, with steps counted by status."""

from __future__ import annotations

import pytest

from runs.api import RunSummarySerializer
from runs.models import Run, StepRun
from tests.engine.conftest import make_pipeline, node

pytestmark = pytest.mark.django_db


def test_a_list_item_is_the_detail_without_graph_and_steps(api, shell_component):
    pipeline = make_pipeline("listed", [node(f"n{i}", shell_component, "pass") for i in range(4)])
    first = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="failed",
                               trigger={"user": "alice"}, parameters={"trees": 3}, error="step n2 failed")
    for i, status in enumerate(["completed", "skipped", "failed", "completed"]):
        StepRun.objects.create(run=first, node_id=f"n{i}", component_version=shell_component, status=status)
    retry = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), retry_of=first,
                               trigger_kind="retry", trigger={"source_run": first.pk})

    listed = api.get("/api/runs/").json()["results"]

    assert [item["id"] for item in listed] == [retry.pk, first.pk]
    for item in listed:
        assert set(item) == set(RunSummarySerializer().fields)
        detail = api.get(f"/api/runs/{item['id']}/").json()
        assert item == {key: detail[key] for key in item}
    assert listed[1]["step_counts"] == {"completed": 2, "failed": 1, "skipped": 1}
    assert list(listed[1]["step_counts"]) == ["completed", "failed", "skipped"]
    assert listed[0]["step_counts"] == {}
    assert listed[0]["trigger"] == {"kind": "retry", "source_run": first.pk}
    assert (listed[0]["retry_of"], listed[1]["version_number"], listed[1]["pipeline_name"]) == (first.pk, 1, "listed")


def test_filters_narrow_both_the_count_and_the_page(api, shell_component):
    pipeline, other = make_pipeline("a", []), make_pipeline("b", [])
    for p, status in [(pipeline, "completed"), (pipeline, "failed"), (other, "failed"), (other, "failed")]:
        Run.objects.create(pipeline=p, pipeline_version=p.versions.get(), status=status)

    failed = api.get("/api/runs/", {"status": "failed", "page_size": 1}).json()
    mine = api.get("/api/runs/", {"pipeline": pipeline.pk}).json()

    assert failed["count"] == 3 and len(failed["results"]) == 1 and failed["next"]
    assert mine["count"] == 2 and {r["pipeline_name"] for r in mine["results"]} == {"a"}
