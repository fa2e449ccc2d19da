"""How the Docker launcher learns that a container ended: from Docker's event stream, with Docker's
own answers as the fallback. Real containers on the real engine."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from executors.base import ContainerSpec, ContainerState
from executors.docker_engine import DockerLauncher
from tests.engine.conftest import BASE_IMAGE, wait_until

pytestmark = pytest.mark.docker


@pytest.fixture
def launcher(docker_ready) -> DockerLauncher:  # type: ignore[no-untyped-def]
    return DockerLauncher()


@pytest.fixture
def name(launcher: DockerLauncher) -> Iterator[str]:
    name = f"ps-test-exits-{time.monotonic_ns()}"
    yield name
    launcher.remove(name)


def spec(name: str, script: str, step_id: str = "7") -> ContainerSpec:
    return ContainerSpec(name=name, image=BASE_IMAGE, command=["sh", "-c"], args=[script],
                         labels={"studio.installation": "exits-test", "studio.step-id": step_id})


def ended(launcher: DockerLauncher, name: str) -> ContainerState:
    return wait_until(lambda: (state := launcher.state(name)).status == "exited" and state, timeout=10,
                      interval=0.05, what=f"{name} exited")


def asking_docker(launcher: DockerLauncher) -> list[str]:
    """Records the launcher's own questions to Docker about a container's state."""
    asked: list[str] = []
    for method in ("state", "_docker_wait"):
        original = getattr(launcher, method)

        def spy(*args, _original=original, _method=method, **kwargs):  # type: ignore[no-untyped-def]
            asked.append(_method)
            return _original(*args, **kwargs)

        setattr(launcher, method, spy)
    return asked


LABELS = {"studio.installation": "exits-test", "studio.step-id": "7"}


def test_an_exit_before_the_wait_begins_is_known_from_the_event_stream(launcher, name):
    started, _ = launcher.ensure_started(spec(name, "exit 0"))
    ended(launcher, name)
    asked = asking_docker(launcher)

    state = launcher.wait(name, timeout=5, since=started.started_at, labels=LABELS)

    assert state is not None and state.status == "exited" and state.exit_code == 0
    assert state.finished_at is not None and state.finished_at >= started.started_at
    assert asked == []  # neither an inspect nor Docker's wait: the stream knew


def test_a_failed_exit_is_reported_with_its_code_and_details(launcher, name):
    started, _ = launcher.ensure_started(spec(name, "sleep 0.3; exit 3"))

    state = launcher.wait(name, timeout=10, since=started.started_at, labels=LABELS)

    assert state is not None, f"{name} did not exit within 10 s"
    assert state.status == "exited" and state.exit_code == 3 and state.oom_killed is False


def test_an_earlier_container_of_the_same_name_does_not_end_the_wait(launcher, name):
    launcher.ensure_started(spec(name, "exit 0"))
    ended(launcher, name)
    launcher.remove(name)
    started, _ = launcher.ensure_started(spec(name, "sleep 30"))

    assert launcher.wait(name, timeout=0.5, since=started.started_at, labels=LABELS) is None

    launcher.stop(name, 0)
    state = launcher.wait(name, timeout=10, since=started.started_at, labels=LABELS)
    assert state is not None and state.status == "exited" and state.exit_code != 0


def test_a_container_with_other_labels_is_not_taken_for_this_one(launcher, name):
    started, _ = launcher.ensure_started(spec(name, "exit 0", step_id="8"))
    ended(launcher, name)

    # The stream's exit is someone else's step: the launcher asks Docker once the timeout passes,
    # which bounds the delay of an exit the stream did not deliver.
    asked = asking_docker(launcher)
    state = launcher.wait(name, timeout=0.3, since=started.started_at, labels=LABELS)

    assert state is not None and state.status == "exited" and state.finished_at is not None
    assert asked == ["state"]


def test_without_a_start_time_the_launcher_asks_docker_first(launcher, name):
    launcher.ensure_started(spec(name, "exit 4"))
    ended(launcher, name)
    asked = asking_docker(launcher)

    state = launcher.wait(name, timeout=5)

    assert state is not None and state.exit_code == 4
    assert asked[0] == "state"


def test_a_removed_container_is_missing(launcher, name):
    started, _ = launcher.ensure_started(spec(name, "sleep 30"))
    launcher.remove(name)

    state = launcher.wait(name, timeout=0.5, since=started.started_at, labels=LABELS)

    assert state is not None and state.status == "missing"
