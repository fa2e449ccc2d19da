"""Abort, worker death, retry of a failed run: no run stays running, no container is left behind."""

from __future__ import annotations

import time

import pytest

from runs.engine import installation_id
from runs.models import StepRun
from tests.engine.conftest import (
    Worker,
    assert_hardened,
    containers_of,
    docker_client,
    make_pipeline,
    mounts_of,
    node,
    wait_for_run,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]

LONG = "import sys, time; print('working', flush=True); time.sleep(300)"


def wait_for_step(run_id: int, node_id: str, status: str, timeout: float = 60) -> StepRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        step = StepRun.objects.filter(run_id=run_id, node_id=node_id).first()
        if step and step.status == status:
            return step
        time.sleep(0.1)
    raise AssertionError(f"step {node_id} never became {status}: {step and step.status}")


def test_abort_during_a_long_step_ends_the_run_within_five_seconds(api, worker, shell_component):
    pipeline = make_pipeline("long", [
        node("long", shell_component, LONG),
        node("next", shell_component, "print(1)", upstream="long"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    wait_for_step(run_id, "long", "running")
    wait_until(lambda: containers_of(run_id), timeout=20, interval=0.1, what="the step's container")

    started = time.monotonic()
    response = api.post(f"/api/runs/{run_id}/abort/")
    assert response.status_code == 202, response.json()
    run = wait_for_run(run_id, timeout=10)
    elapsed = time.monotonic() - started

    assert run.status == "aborted"
    assert elapsed < 5, f"abort took {elapsed:.1f}s"
    steps = {s.node_id: s.status for s in run.steps.all()}
    assert steps == {"long": "aborted", "next": "aborted"}
    # No container left within 5 s of the abort request itself (not of the run's end).
    wait_until(lambda: not containers_of(run_id), timeout=started + 5 - time.monotonic(), interval=0.1,
               what="no container left within 5 s of the abort request (the time left of those 5 s)")
    # Aborting a finished run is a conflict with the error shape.
    again = api.post(f"/api/runs/{run_id}/abort/")
    assert again.status_code == 409
    assert "already finished" in again.json()["message"]


def test_a_step_container_is_hardened(api, worker, shell_component):
    pipeline = make_pipeline("hardened", [node("long", shell_component, LONG)])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    wait_for_step(run_id, "long", "running")
    wait_until(lambda: containers_of(run_id), timeout=20, interval=0.1, what="the step's container")
    try:
        container = containers_of(run_id)[0]
        config = container.attrs["Config"]
        step = StepRun.objects.get(run_id=run_id)
        assert container.name == f"ps-{run_id}-long-1" == step.container_name
        assert config["Labels"]["studio.run"] == str(run_id)
        assert config["Labels"]["studio.step"] == "long"
        assert config["Labels"]["studio.attempt"] == "1"
        assert config["Labels"]["studio.pipeline"] == str(pipeline.pk)
        assert_hardened(container, memory=256 * 1024 * 1024, nano_cpus=1_000_000_000)
        assert mounts_of(container)["/outputs"]["RW"] is True
    finally:
        api.post(f"/api/runs/{run_id}/abort/")
        wait_for_run(run_id, timeout=15)


def test_a_killed_worker_is_recovered_and_the_step_attempt_runs_once(api, worker_env, no_other_worker, shell_component, tmp_path):
    """kill -9 the worker mid-step, start another: the run finishes and exactly one container existed."""
    script = "import sys, time; time.sleep(4); open(sys.argv[1], 'w').write('survived')"
    pipeline = make_pipeline("phoenix", [node("slow", shell_component, script), node("after", shell_component, "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read())", upstream="slow")])
    events_since = int(time.time()) - 1
    first = Worker(worker_env, tmp_path / "first.log").start()
    try:
        run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
        wait_for_step(run_id, "slow", "running")
        wait_until(lambda: containers_of(run_id), timeout=20, interval=0.1, what="the step's container")
        time.sleep(0.5)
    finally:
        first.kill()
    assert StepRun.objects.get(run_id=run_id, node_id="slow").status == "running"

    # A new worker with the scheduler: the reconciler notices the silent step and re-attaches.
    second = Worker(worker_env, tmp_path / "second.log", beat=True).start()
    try:
        run = wait_for_run(run_id, timeout=90)
    finally:
        second.stop()

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    slow = run.steps.get(node_id="slow")
    assert slow.attempt == 1 and slow.recoveries == 1
    created = [
        e for e in docker_client().events(
            since=events_since, until=int(time.time()) + 1, decode=True,
            filters={"type": "container", "event": "create",
                     "label": [f"studio.step-id={slow.pk}", f"studio.installation={installation_id()}"]},
        )
    ]
    assert len(created) == 1, created
    assert containers_of(run_id) == []


def test_retry_reuses_completed_upstream_steps_and_reruns_the_failed_ones(api, worker, shell_component):
    from django.db import connection

    with connection.cursor() as cursor:  # the next run's id, so the flaky step fails in that run only
        cursor.execute("select nextval(pg_get_serial_sequence('runs_run', 'id'))")
        first_id = cursor.fetchone()[0] + 1
    flaky = (
        "import os, sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read()); "
        f"sys.exit(4 if os.environ['PS_RUN_ID'] == '{first_id}' else 0)"
    )
    pipeline = make_pipeline("retry", [
        node("source", shell_component, "import sys; open(sys.argv[1], 'w').write('data')"),
        node("flaky", shell_component, flaky, upstream="source"),
    ])
    run1 = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    assert run1 == first_id
    first = wait_for_run(run1)
    assert first.status == "failed"

    response = api.post(f"/api/runs/{run1}/retry/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["trigger"] == {"kind": "retry", "source_run": run1, "user": "alice"}
    retried = wait_for_run(body["id"])

    assert retried.status == "completed"
    steps = {s.node_id: s for s in retried.steps.all()}
    assert steps["source"].status == "cached"
    assert steps["source"].cached_from_id == first.steps.get(node_id="source").pk
    assert steps["flaky"].status == "completed"
    # Retrying a completed run is refused.
    assert api.post(f"/api/runs/{retried.pk}/retry/").status_code == 409


def test_a_container_of_another_installation_with_the_same_name_is_never_adopted(db, shell_component):
    """Two databases on one Docker engine both have a run 1: the engine must not re-attach to the other's container."""
    from executors.base import ContainerSpec, LaunchError
    from executors.docker_engine import DockerLauncher

    launcher = DockerLauncher()
    name = f"ps-test-foreign-{time.monotonic_ns()}"
    foreign = ContainerSpec(name=name, image="pipeline-studio/base:1", command=["sleep"], args=["30"],
                            labels={"studio.installation": "someone-else", "studio.step-id": "1"})
    ours = ContainerSpec(name=name, image="pipeline-studio/base:1", command=["true"], args=[],
                         labels={"studio.installation": "us", "studio.step-id": "1"})
    launcher.ensure_started(foreign)
    try:
        with pytest.raises(LaunchError, match="another installation"):
            launcher.ensure_started(ours)
        assert launcher.state(name).labels["studio.installation"] == "someone-else"
    finally:
        launcher.remove(name)
