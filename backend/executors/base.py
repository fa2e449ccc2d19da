"""The container launcher interface. The engine talks to this, never to Docker.

A Kubernetes Job launcher can replace the Docker one behind the same methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

# The label that marks a standby container (executors/standby.py).
STANDBY_LABEL = "studio.standby"
# The labels that say whose step a container runs: the installation (one database) and the step in it.
# Installations sharing one Docker engine reuse container names; these tell their containers apart.
STEP_IDENTITY_LABELS = ("studio.installation", "studio.step-id")


def step_identity(labels: Mapping[str, str]) -> dict[str, str]:
    """The step-identity labels among `labels`."""
    return {key: labels[key] for key in STEP_IDENTITY_LABELS if key in labels}


@dataclass(frozen=True)
class Mount:
    host_path: str
    container_path: str
    read_only: bool = True


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    command: list[str] | None  # replaces the image's entrypoint (KFP semantics)
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    mounts: list[Mount] = field(default_factory=list)
    cpu: float | None = None
    memory_bytes: int | None = None
    gpu: int = 0
    network: bool = False  # the component declares it needs one: STUDIO_STEP_NETWORK, else "none"
    user: str = "1000:1000"
    pids_limit: int = 512
    tmp_size: str = "512m"
    component: str = ""  # the component's name, for error messages


@dataclass(frozen=True)
class ContainerState:
    name: str
    status: str  # created | running | exited | dead | missing ...
    exit_code: int | None
    labels: dict[str, str]
    oom_killed: bool = False
    error: str = ""
    started_at: datetime | None = None  # when the engine started the container's process
    finished_at: datetime | None = None  # when it exited


@dataclass
class Usage:
    peak_memory_bytes: int | None = None
    cpu_seconds: float | None = None


class LaunchError(Exception):
    """The container could not be started (e.g. the image does not exist)."""


class Launcher(Protocol):
    def ensure_started(self, spec: ContainerSpec) -> tuple[ContainerState, bool]:
        """Starts the container, or finds the existing one with that name. Returns (state, created).

        An existing standby container (STANDBY_LABEL) is adopted only by a standby spec: a
        normal spec replaces it, since its entrypoint is the shim."""

    def state(self, name: str) -> ContainerState: ...

    def wait(self, name: str, timeout: float, *, since: datetime | None = None,
             labels: dict[str, str] | None = None) -> ContainerState | None:
        """Waits up to `timeout` seconds; the final state, or None while it still runs. `since`: when
        the container's command started (an earlier exit of a container of that name is not this
        one's); `labels`: labels it carries, told apart from other containers of that name by them."""

    def follow_logs(self, name: str, path: str) -> None:
        """Appends the container's output to `path` until it exits (call from a thread)."""

    def sample_usage(self, name: str, usage: Usage) -> None: ...

    def stop(self, name: str, grace_seconds: float) -> None: ...

    def remove(self, name: str) -> None: ...

    def list(self, labels: dict[str, str]) -> list[ContainerState]: ...
