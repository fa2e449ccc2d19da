"""Logs while a step runs, retry backoff, and the reconciler's give-up paths. Real worker, real Docker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from runs import engine
from runs.models import Run, StepRun
from tests.engine.conftest import (
    Worker,
    containers_of,
    docker_client,
    make_pipeline,
    node,
    wait_for_run,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]


def test_logs_are_readable_through_the_api_while_the_step_runs(api, worker, shell_component):
    script = "import sys, time; print('early line', flush=True); time.sleep(5); open(sys.argv[1], 'w').write('x')"
    pipeline = make_pipeline("live logs", [node("talker", shell_component, script)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    def early_line():  # type: ignore[no-untyped-def]
        response = api.get(f"/api/runs/{run_id}/steps/talker/logs/")
        return response if response.status_code == 200 and b"early line" in response.content else None

    seen = wait_until(early_line, timeout=30, interval=0.2, what="the early line in the step's log")
    seen_at = timezone.now()

    assert seen["X-Step-Status"] == "running"
    run = wait_for_run(run_id)
    assert run.status == "completed"
    assert seen_at < run.steps.get().finished_at
    assert b"early line" in api.get(f"/api/runs/{run_id}/steps/talker/logs/").content


def test_a_retry_waits_for_the_backoff_after_the_failed_attempt(api, worker_env, no_other_worker, shell_component, tmp_path):
    backoff = 2.0
    pipeline = make_pipeline("backoff", [node("flaky", shell_component, "import sys; sys.exit(1)", retries=1)])
    events_since = int(time.time()) - 1
    own = Worker({**worker_env, "STUDIO_RETRY_BACKOFF_SECONDS": str(backoff)}, tmp_path / "backoff.log").start()
    try:
        run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
        run = wait_for_run(run_id, timeout=60)
    finally:
        own.stop()

    step = run.steps.get()
    assert run.status == "failed" and step.attempt == 2
    events = list(docker_client().events(
        since=events_since, until=int(time.time()) + 1, decode=True,
        filters={"type": "container", "event": ["start", "die"],
                 "label": [f"studio.step-id={step.pk}", f"studio.installation={engine.installation_id()}"]},
    ))
    at = {(e["Actor"]["Attributes"]["studio.attempt"], e["status"]): e["timeNano"] / 1e9 for e in events}
    first_ended, second_started = at[("1", "die")], at[("2", "start")]
    assert second_started - first_ended >= backoff, f"attempt 2 started {second_started - first_ended:.2f}s after attempt 1"
    assert second_started - first_ended < backoff + 10


def silent_step(shell_component, *, recoveries: int = 0) -> StepRun:  # type: ignore[no-untyped-def]
    """A running step whose worker died: its heartbeat is old; no container of it exists."""
    pipeline = make_pipeline("lost", [node("lost", shell_component, "pass"),
                                      node("after", shell_component, "pass", upstream="lost")])
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="running",
                             started_at=timezone.now())
    long_ago = timezone.now() - timedelta(minutes=5)
    step = StepRun.objects.create(
        run=run, node_id="lost", component_version=shell_component, status="running", attempt=1,
        started_at=long_ago, heartbeat_at=long_ago, worker="gone:1:dead", recoveries=recoveries,
        container_name=engine.container_name(run.pk, "lost", 1), inputs={"script": {"value": "pass"}},
    )
    StepRun.objects.create(run=run, node_id="after", component_version=shell_component)
    return step


def test_a_step_whose_worker_died_before_its_container_started_fails_and_the_run_closes(worker, shell_component):
    step = silent_step(shell_component)
    assert not containers_of(step.run_id)

    assert engine.runs_reconcile()["taken_over"] == 1
    run = wait_for_run(step.run_id, timeout=30)

    step.refresh_from_db()
    assert step.status == "failed" and step.error == "worker lost before the container started"
    assert step.recoveries == 1
    assert run.status == "failed" and "worker lost before the container started" in run.error
    assert run.steps.get(node_id="after").status == "skipped"


def test_a_step_that_keeps_losing_its_worker_is_given_up(worker, shell_component):
    step = silent_step(shell_component, recoveries=engine.MAX_RECOVERIES)

    engine.runs_reconcile()
    run = wait_for_run(step.run_id, timeout=30)

    step.refresh_from_db()
    reason = f"worker lost {engine.MAX_RECOVERIES + 1} times; giving up"
    assert step.status == "failed" and step.error == reason
    assert run.status == "failed" and reason in run.error
    assert not containers_of(step.run_id)
