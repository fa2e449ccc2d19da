"""Standby containers: downstream steps' containers start while their upstream runs, and are
released when it ends (runs/engine.py, executors/standby.py). Real worker, real Docker."""

from __future__ import annotations

import subprocess
import time

import pytest

from datasets import store
from runs import engine
from runs.models import Artifact, Run, StepRun
from tests.engine.conftest import (
    BASE_IMAGE,
    assert_hardened,
    containers_of,
    docker_client,
    make_component,
    make_pipeline,
    mounts_of,
    no_containers_left,
    node,
    wait_for_run,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]

WRITE = "import sys, time; time.sleep(1); open(sys.argv[1], 'w').write(\"it's\")"
APPEND = "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read() + ' \"quoted\" $HOME')"
NO_SHELL_IMAGE = "pipeline-studio/test-no-shell:1"


def test_downstream_steps_start_from_standby_containers_with_their_real_inputs(api, worker, shell_component):
    pipeline = make_pipeline("standby chain", [
        node("first", shell_component, WRITE),
        node("second", shell_component, APPEND, upstream="first"),
        node("third", shell_component, APPEND, upstream="second"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    # While the first step sleeps, the others' containers are up and waiting.
    standbys = wait_until(
        lambda: [c for c in containers_of(run_id) if c.labels.get("studio.standby") == "1" and c.status == "running"],
        what="standby containers",
    )
    assert {c.labels["studio.step"] for c in standbys} <= {"second", "third"}
    # A standby is as locked down as a normal start, and the step can write only to /outputs.
    waiting = standbys[0]
    assert_hardened(waiting, memory=256 * 1024 * 1024, nano_cpus=1_000_000_000)
    mounts = mounts_of(waiting)
    assert mounts["/ps-control"]["RW"] is False
    assert mounts["/inputs"]["RW"] is False
    assert [m["Destination"] for m in mounts.values() if m["RW"]] == ["/outputs"]
    run = wait_for_run(run_id)

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    third = Artifact.objects.get(step__run=run, step__node_id="third", name="out")
    # Quotes, dollar signs and spaces reach the program exactly as in a normal start.
    assert store.read_head(third.sha256, 200) == b'it\'s "quoted" $HOME "quoted" $HOME'
    steps = {s.node_id: s for s in run.steps.all()}
    assert steps["second"].standby and steps["third"].standby and not steps["first"].standby
    assert all(s.launched_at for s in steps.values())
    # A standby's command starts only once its upstream's outputs are recorded.
    assert steps["second"].launched_at >= steps["first"].finished_at
    assert steps["third"].launched_at >= steps["second"].finished_at
    no_containers_left(run_id)


def test_standbys_of_steps_that_will_not_run_are_gone_when_the_run_fails(api, worker, shell_component):
    pipeline = make_pipeline("standby fails", [
        node("slow", shell_component, WRITE),
        node("boom", shell_component, "import sys; sys.exit(4)", upstream="slow"),
        node("after", shell_component, APPEND, upstream="boom"),
        node("later", shell_component, APPEND, upstream="after"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    wait_until(lambda: len([c for c in containers_of(run_id) if c.labels.get("studio.standby")]) == 3,
               what="three standby containers")

    run = wait_for_run(run_id)

    assert run.status == "failed"
    steps = {s.node_id: s for s in run.steps.all()}
    assert steps["boom"].exit_code == 4 and steps["after"].status == steps["later"].status == "skipped"
    assert not steps["after"].standby and not steps["later"].standby
    # Skipped steps' standbys go before the run closes; the failed step's own container right after.
    assert not [c.name for c in containers_of(run_id) if c.labels.get("studio.step") in ("after", "later")]
    no_containers_left(run_id)


def test_abort_removes_waiting_standby_containers(api, worker, shell_component):
    pipeline = make_pipeline("standby abort", [
        node("long", shell_component, "import time; time.sleep(300)"),
        node("next", shell_component, APPEND, upstream="long"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    wait_until(lambda: len(containers_of(run_id)) == 2, what="the step and its downstream standby")

    assert api.post(f"/api/runs/{run_id}/abort/").status_code == 202
    run = wait_for_run(run_id, timeout=20)

    assert run.status == "aborted"
    no_containers_left(run_id)


def test_standbys_per_run_are_limited(api, worker, shell_component):
    nodes = [node("s0", shell_component, "import sys, time; time.sleep(3); open(sys.argv[1], 'w').write('x')")]
    nodes += [node(f"s{i}", shell_component, APPEND, upstream=f"s{i - 1}") for i in range(1, 12)]
    pipeline = make_pipeline("standby limit", nodes)
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    wait_until(lambda: len(containers_of(run_id)) >= 1 + engine.standby_per_run(), what="the standbys")
    seen = set()
    for _ in range(10):
        seen.add(tuple(sorted(c.name for c in containers_of(run_id))))
        time.sleep(0.1)
    # The running step plus STUDIO_STANDBY_PER_RUN standbys (8 by default), not the whole chain.
    assert 1 + engine.standby_per_run() < len(nodes)
    assert max(len(names) for names in seen) == 1 + engine.standby_per_run(), seen
    assert wait_for_run(run_id, timeout=120).status == "completed"


@pytest.fixture(scope="module")
def no_shell_image(docker_ready) -> str:  # type: ignore[no-untyped-def]
    """The base image without /bin/sh: a standby's shim cannot start in it."""
    client = docker_client()
    try:
        client.images.get(NO_SHELL_IMAGE)
    except Exception:  # noqa: BLE001
        subprocess.run(
            ["docker", "build", "-q", "--network", "none", "-t", NO_SHELL_IMAGE, "-"],
            input=f'FROM {BASE_IMAGE}\nUSER root\nRUN ["/bin/rm", "-f", "/bin/sh", "/usr/bin/sh", "/bin/dash", "/usr/bin/dash"]\nUSER 1000:1000\n'.encode(),
            check=True, capture_output=True, env={"DOCKER_BUILDKIT": "0", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
        )
    return NO_SHELL_IMAGE


def test_an_image_without_a_shell_falls_back_to_a_normal_start(api, worker, shell_component, no_shell_image):
    spec = dict(shell_component.spec)
    spec["implementation"] = {"container": {**spec["implementation"]["container"], "image": no_shell_image}}
    spec["name"] = "python snippet without a shell"
    no_shell = make_component("python snippet without a shell", spec)
    pipeline = make_pipeline("standby no shell", [
        node("first", shell_component, WRITE),
        node("second", no_shell, APPEND, upstream="first"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id)

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    second = Artifact.objects.get(step__run=run, step__node_id="second", name="out")
    assert store.read_head(second.sha256, 200) == b'it\'s "quoted" $HOME'
    assert not StepRun.objects.get(run=run, node_id="second").standby
    no_containers_left(run_id)


def test_the_reconciler_removes_standbys_nobody_will_release(shell_component):
    pipeline = make_pipeline("standby sweep", [
        node("a", shell_component, WRITE),
        node("b", shell_component, APPEND, upstream="a"),
    ])
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="running")
    StepRun.objects.create(run=run, node_id="a", component_version=shell_component, status="running")
    b = StepRun.objects.create(run=run, node_id="b", component_version=shell_component, standby=True)
    engine.step_prepare(step_id=b.pk)
    assert [c.labels.get("studio.standby") for c in containers_of(run.pk)] == ["1"]

    engine.runs_reconcile()
    assert len(containers_of(run.pk)) == 1, "a pending step keeps its standby"

    StepRun.objects.filter(pk=b.pk).update(status="skipped")
    counts = engine.runs_reconcile()

    assert counts["standbys_removed"] == 1
    assert not containers_of(run.pk)


def test_a_retry_after_a_standby_attempt_starts_normally(api, worker, shell_component):
    pipeline = make_pipeline("standby retry", [
        node("first", shell_component, WRITE),
        node("flaky", shell_component, "import sys; print('attempt failed'); sys.exit(2)", upstream="first", retries=1),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]

    run = wait_for_run(run_id)

    flaky = run.steps.get(node_id="flaky")
    assert run.status == "failed"
    assert flaky.attempt == 2 and flaky.exit_code == 2 and "attempt failed" in flaky.error
    assert flaky.container_name.endswith("-2")  # the second attempt had a container of its own
    no_containers_left(run_id)


def test_a_step_released_before_its_standby_was_prepared_starts_normally(no_other_worker, shell_component):
    """The prepare message can arrive after the step is due (a busy queue): run_advance has released
    a standby that does not exist. The claiming worker starts the step normally."""
    pipeline = make_pipeline("standby late prepare", [node("solo", shell_component, "import sys; open(sys.argv[1], 'w').write('x')")])
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get())
    step = StepRun.objects.create(run=run, node_id="solo", component_version=shell_component, standby=True)

    engine.run_advance(run_id=run.pk)  # queues the step and releases its (missing) standby
    assert (engine._standby_work_dir(step) / "control" / "go").exists()
    engine.step_prepare(step_id=step.pk)  # too late: a released step gets no standby
    assert not containers_of(run.pk)
    engine.step_execute(step_id=step.pk)

    step.refresh_from_db()
    assert step.status == "completed", step.error
    assert not step.standby
    run.refresh_from_db()
    assert run.status == "completed"
    no_containers_left(run.pk)
