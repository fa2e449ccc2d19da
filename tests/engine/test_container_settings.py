"""What a step container is given: default limits, read-only inputs, GPUs, the step network."""

from __future__ import annotations

import subprocess
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from datasets import store
from executors.base import ContainerSpec
from executors.docker_engine import DockerLauncher
from runs import engine
from runs.models import Artifact, Run, StepRun
from tests.conftest import skip_or_fail
from tests.engine.conftest import (
    SHELL,
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

LONG = "import sys, time; open(sys.argv[1], 'w').write('x'); time.sleep(300)"
GIB = 1024**3


def running_container(run_id: int, step: str) -> Any:
    return wait_until(
        lambda: next((c for c in containers_of(run_id) if c.labels.get("studio.step") == step
                      and c.status == "running" and not c.labels.get("studio.standby")), None),
        timeout=30, what=f"the running container of step {step}",
    )


def no_resources(spec: str) -> str:
    return spec.replace("resources: {cpu: 1, memory: 256Mi}\n", "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_limits_come_from_the_catalog_defaults_the_component_and_the_node_and_an_explicit_zero_means_none(
        api, worker, shell_component):
    plain = make_component("python snippet without resources", no_resources(SHELL))
    assert "resources" not in plain.spec
    assert shell_component.spec["resources"] == {"cpu": 1, "memory": "256Mi"}
    # Validation refuses 0 today; a spec stored before that may have it, and it meant "no limit".
    unlimited = make_component("python snippet without limits",
                               SHELL.replace("resources: {cpu: 1, memory: 256Mi}", "resources: {cpu: 0, memory: 0}"))
    pipeline = make_pipeline("limits", [
        node("plain", plain, LONG),
        node("small", plain, LONG, resources={"memory": "512Mi"}),
        node("half", shell_component, LONG, resources={"cpu": "500m", "memory": None}),  # null: keep the component's
        node("unlimited", unlimited, LONG),
        node("capped", unlimited, LONG, resources={"cpu": 2, "memory": "1.5Gi"}),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    try:
        # The catalog advertises 1 CPU and 1 GiB for a spec that names none: that is what the step gets.
        advertised = api.get(f"/api/components/{plain.component_id}/").json()["latest_version"]["resources"]
        assert (advertised["cpu"], advertised["memory_bytes"]) == (1, GIB)
        assert_hardened(running_container(run_id, "plain"), memory=GIB, nano_cpus=1_000_000_000)
        assert_hardened(running_container(run_id, "small"), memory=512 * 1024**2, nano_cpus=1_000_000_000)
        # A node override replaces only the fields it sets: the component's 256Mi stays, not the default GiB.
        assert_hardened(running_container(run_id, "half"), memory=256 * 1024**2, nano_cpus=500_000_000)
        host = running_container(run_id, "unlimited").attrs["HostConfig"]
        assert (host["Memory"], host["NanoCpus"]) == (0, 0)
        assert_hardened(running_container(run_id, "capped"), memory=3 * GIB // 2, nano_cpus=2_000_000_000)
    finally:
        api.post(f"/api/runs/{run_id}/abort/")
        wait_for_run(run_id, timeout=20)


# No `command`: the arguments replace the image's CMD. Such a step has no standby container, so a
# downstream step starts normally, with each input mounted at /inputs/<name>.
ARGS_ONLY = """
inputs:
- {name: script, type: String}
- {name: data, type: File, optional: true}
outputs:
- {name: out, type: File}
implementation:
  container:
    image: pipeline-studio/base:1
    args:
    - python3
    - -c
    - {inputValue: script}
    - {outputPath: out}
    - if: {cond: {isPresent: data}, then: [{inputPath: data}]}
resources: {cpu: 1, memory: 256Mi}
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_inputs_are_mounted_read_only(api, worker):
    cv = make_component("python snippet from args", ARGS_ONLY)
    reader = (
        "import sys, time; open(sys.argv[1], 'w').write(open(sys.argv[2]).read()); "
        "time.sleep(300)"
    )
    pipeline = make_pipeline("read-only inputs", [
        node("first", cv, "import sys; open(sys.argv[1], 'w').write('upstream')"),
        node("second", cv, reader, upstream="first"),
    ])
    run_id = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"]
    try:
        container = running_container(run_id, "second")
        mounts = mounts_of(container)
        assert mounts["/inputs/data"]["RW"] is False
        assert mounts["/outputs"]["RW"] is True
        assert [m["Destination"] for m in mounts.values() if m["RW"]] == ["/outputs"]
        assert_hardened(container, memory=256 * 1024**2, nano_cpus=1_000_000_000)
        probe = container.exec_run(["sh", "-c", "echo x > /inputs/data"], user="0")  # the blob's owner
        assert probe.exit_code != 0 and b"Read-only file system" in probe.output
    finally:
        api.post(f"/api/runs/{run_id}/abort/")
        wait_for_run(run_id, timeout=20)


def test_a_gpu_request_becomes_one_device_request_for_gpus() -> None:
    launcher = DockerLauncher()
    base = {"name": "ps-test-gpu", "image": "pipeline-studio/base:1", "command": None, "args": []}

    kwargs = launcher._create_kwargs(ContainerSpec(**base, gpu=1))

    (request,) = kwargs["device_requests"]
    assert request["Count"] == 1
    assert request["Capabilities"] == [["gpu"]]
    assert "device_requests" not in launcher._create_kwargs(ContainerSpec(**base))


# --------------------------------------------------------------------------- the step network

NETWORKED = SHELL.replace("inputs:\n", "metadata:\n  annotations: {network: 'true'}\ninputs:\n", 1)


@pytest.fixture
def networked(db) -> Any:  # type: ignore[no-untyped-def]
    return make_component("python snippet with network", NETWORKED)


def queued_step(cv: Any, script: str) -> StepRun:
    """A run of one step, queued as run_advance leaves it, to be executed in this process."""
    pipeline = make_pipeline("network", [node("net", cv, script)])
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="running")
    return StepRun.objects.create(run=run, node_id="net", component_version=cv, status="queued",
                                  inputs={"script": {"value": script}})


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_step_that_needs_a_missing_network_fails_naming_the_network_and_the_setting(networked, monkeypatch,
                                                                                      docker_ready):
    monkeypatch.setenv("STUDIO_STEP_NETWORK", "ps-test-no-such-network")
    step = queued_step(networked, "import sys; open(sys.argv[1], 'w').write('x')")

    engine.step_execute(step_id=step.pk)

    step.refresh_from_db()
    assert step.status == "failed"
    assert "python snippet with network" in step.error
    assert "'ps-test-no-such-network'" in step.error and "STUDIO_STEP_NETWORK" in step.error
    assert "does not exist" in step.error
    assert Run.objects.get(pk=step.run_id).status == "failed"
    assert not containers_of(step.run_id)


@pytest.fixture
def step_network(docker_ready) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An internal network (no route out): the step gets an interface, no traffic leaves."""
    name = f"ps-test-net-{uuid.uuid4().hex[:8]}"
    made = subprocess.run(["docker", "network", "create", "--internal", name], capture_output=True, text=True)
    if made.returncode != 0:
        skip_or_fail(f"this Docker engine cannot create a network: {made.stderr.strip()}")
    yield name
    docker_client().networks.get(name).remove()


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_step_that_needs_a_network_gets_the_configured_one(networked, monkeypatch, step_network):
    monkeypatch.setenv("STUDIO_STEP_NETWORK", step_network)
    # Lists its interfaces (sends nothing), then stays up for the inspection.
    script = "import os, sys, time; open(sys.argv[1], 'w').write(' '.join(sorted(os.listdir('/sys/class/net')))); time.sleep(3)"
    step = queued_step(networked, script)

    def execute() -> None:
        try:
            engine.step_execute(step_id=step.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=execute)
    thread.start()
    try:
        container = running_container(step.run_id, "net")
        assert container.attrs["HostConfig"]["NetworkMode"] == step_network
        assert step_network in container.attrs["NetworkSettings"]["Networks"]
    finally:
        thread.join(timeout=60)
    step.refresh_from_db()
    assert step.status == "completed", step.error
    interfaces = store.read_head(Artifact.objects.get(step=step, name="out").sha256, 1000).decode().split()
    assert "lo" in interfaces and len(interfaces) >= 2, interfaces
    no_containers_left(step.run_id)
