"""Runs go pending → running → completed/failed with real containers passing real files."""

from __future__ import annotations

import pytest

from runs.models import Artifact, StepRun
from tests.engine.conftest import containers_of, make_pipeline, node, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]

WRITE = "import sys; open(sys.argv[1], 'w').write('hello')"
APPEND = "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read() + ' world')"


def test_a_chain_runs_to_completion_passing_files_downstream(api, worker, shell_component):
    pipeline = make_pipeline("chain", [
        node("first", shell_component, WRITE),
        node("second", shell_component, APPEND, upstream="first"),
        node("third", shell_component, APPEND, upstream="second"),
    ])
    response = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {"parameters": {}}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert response.json()["trigger"]["kind"] == "manual"

    run = wait_for_run(response.json()["id"])

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    third = Artifact.objects.get(step__run=run, step__node_id="third", name="out")
    from datasets import store

    assert store.read_head(third.sha256, 100) == b"hello world world"
    detail = api.get(f"/api/runs/{run.pk}/").json()
    assert [s["status"] for s in detail["steps"]] == ["completed"] * 3
    assert all(s["exit_code"] == 0 and s["attempt"] == 1 for s in detail["steps"])
    assert detail["steps"][0]["outputs"][0]["preview"] == {"kind": "text", "text": "hello", "truncated": False}
    assert detail["started_at"] and detail["finished_at"]


def test_a_failing_step_fails_the_run_skips_downstream_and_keeps_logs(api, worker, shell_component):
    pipeline = make_pipeline("fails", [
        node("ok", shell_component, WRITE),
        node("boom", shell_component, "import sys; print('about to fail'); sys.exit(3)", upstream="ok"),
        node("after", shell_component, APPEND, upstream="boom"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id)

    assert run.status == "failed"
    steps = {s.node_id: s for s in StepRun.objects.filter(run=run)}
    assert steps["ok"].status == "completed"
    assert steps["boom"].status == "failed"
    assert steps["boom"].exit_code == 3
    assert "exited with code 3" in steps["boom"].error and "about to fail" in steps["boom"].error
    assert steps["after"].status == "skipped"
    assert "boom" in steps["after"].error
    assert "boom" in run.error
    logs = api.get(f"/api/runs/{run_id}/steps/boom/logs/")
    assert logs.status_code == 200
    assert "about to fail" in logs.content.decode()
    assert logs["X-Step-Status"] == "failed"
    assert not containers_of(run_id)


def test_independent_steps_run_in_parallel(api, worker, shell_component):
    sleep = "import sys, time; time.sleep(3); open(sys.argv[1], 'w').write('x')"
    pipeline = make_pipeline("fan-out", [node(f"n{i}", shell_component, sleep) for i in range(4)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id)

    assert run.status == "completed"
    # Four 3-second steps in parallel take far less than 12 seconds.
    assert (run.finished_at - run.started_at).total_seconds() < 10


def test_a_step_is_retried_up_to_its_limit(api, worker, shell_component):
    pipeline = make_pipeline("retries", [node("flaky", shell_component, "import sys; sys.exit(1)", retries=2)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id)

    step = run.steps.get()
    assert run.status == "failed"
    assert step.attempt == 3 and step.max_attempts == 3
    assert step.status == "failed" and step.exit_code == 1


def test_a_step_over_its_timeout_is_killed_and_failed_with_the_reason(api, worker, shell_component):
    pipeline = make_pipeline("slow", [node("sleepy", shell_component, "import time; time.sleep(120)", timeout_seconds=2)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id, timeout=60)

    step = run.steps.get()
    assert run.status == "failed"
    assert step.status == "failed"
    assert "timed out after 2s" in step.error
    assert (step.finished_at - step.started_at).total_seconds() < 15


def test_a_missing_image_fails_the_step_with_a_clear_message(api, worker, db):
    from tests.engine.conftest import make_component

    cv = make_component("ghost", {"outputs": [{"name": "out"}], "implementation": {"container": {
        "image": "pipeline-studio/does-not-exist:9", "command": ["true"]}}})
    pipeline = make_pipeline("ghost", [{"id": "g", "component_version": cv.pk, "position": {"x": 0, "y": 0}, "arguments": {}}])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id, timeout=60)

    assert run.status == "failed"
    assert "pipeline-studio/does-not-exist:9" in run.steps.get().error
    assert "does not exist" in run.steps.get().error


def test_a_step_killed_for_memory_fails_with_the_reason(api, worker, shell_component):
    hog = "import sys, time; chunks = [bytearray(16 * 1024 * 1024) for _ in range(64)]; time.sleep(1)"
    pipeline = make_pipeline("hog", [node("hog", shell_component, hog)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id, timeout=60)

    step = run.steps.get()
    assert run.status == "failed"
    assert "out of memory (limit 256 MiB)" in step.error, step.error
