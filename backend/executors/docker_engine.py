"""The Docker implementation of the launcher: the only module that imports `docker`."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

import docker
import requests
from docker.errors import APIError, ImageNotFound, NotFound
from docker.types import DeviceRequest

from executors.base import (
    STANDBY_LABEL,
    STEP_IDENTITY_LABELS,
    ContainerSpec,
    ContainerState,
    LaunchError,
    Usage,
    step_identity,
)

logger = logging.getLogger(__name__)

_client_lock = threading.Lock()
_client: docker.DockerClient | None = None


def _docker_url() -> str:
    return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


def client() -> docker.DockerClient:
    global _client
    with _client_lock:
        if _client is None:
            # Plenty of pooled connections: one blocking wait per running step.
            _client = docker.DockerClient(
                base_url=_docker_url(),
                timeout=int(os.environ.get("STUDIO_DOCKER_TIMEOUT", "60")),
                max_pool_size=64,
            )
        return _client


def _timestamp(value: str | None) -> datetime | None:
    """Docker's RFC 3339 time with nanoseconds ("0001-01-01T00:00:00Z" when never started)."""
    if not value or value.startswith("0001-"):
        return None
    head, _, frac = value.rstrip("Z").partition(".")
    try:
        stamp = datetime.fromisoformat(head).replace(tzinfo=UTC)
    except ValueError:
        return None
    digits = "".join(ch for ch in frac if ch.isdigit())[:6]
    return stamp.replace(microsecond=int(digits.ljust(6, "0"))) if digits else stamp


def _state(container: Any) -> ContainerState:
    attrs = container.attrs
    st = attrs.get("State", {})
    status = st.get("Status", "unknown")
    exit_code = st.get("ExitCode") if status in {"exited", "dead"} else None
    return ContainerState(
        name=container.name,
        status=status,
        exit_code=exit_code,
        labels=attrs.get("Config", {}).get("Labels") or {},
        oom_killed=bool(st.get("OOMKilled")),
        error=st.get("Error") or "",
        started_at=_timestamp(st.get("StartedAt")),
        finished_at=_timestamp(st.get("FinishedAt")),
    )


def step_network() -> str:
    """The Docker network of steps whose component declares it needs one."""
    return os.environ.get("STUDIO_STEP_NETWORK") or "bridge"


def _missing_network_message(spec: ContainerSpec) -> str:
    return (
        f"component {spec.component or spec.image!r} needs a network, but network {step_network()!r} "
        "(setting STUDIO_STEP_NETWORK) does not exist on this worker's Docker engine; create it "
        "(`docker network create ...`) or set STUDIO_STEP_NETWORK to an existing network"
    )


class _ExitWatcher:
    """Learns of container exits from Docker's event stream, one stream per process.

    Docker answers a blocking `wait` only after it has written the stopped container's state to
    disk, 10-25 ms after the `die` event on this kind of machine; the event arrives within about a
    millisecond. Exits are kept for a while (by container name, with the container's labels and the
    daemon's time), so a step whose worker begins waiting after its container ended learns of it at
    once. The stream is a shortcut, never the only source: a waiter that could have missed an event
    (the stream started after the container, or broke meanwhile) asks Docker directly."""

    KEEP_SECONDS = 300.0  # how long an exit is remembered for a worker that begins waiting late

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._exits: dict[str, list[tuple[float, int, dict[str, str]]]] = {}  # name → (time, exit code, labels)
        self._order: deque[tuple[float, str]] = deque()  # (monotonic time recorded, name), oldest first
        self._listening_since: float | None = None  # host time from which no exit is missed
        self._generation = 0  # bumped whenever the stream (re)connects
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="docker-exit-watcher", daemon=True)
                self._thread.start()

    def _listen(self) -> None:
        told = False  # one warning per outage, not one per attempt
        while True:
            try:
                stream = client().api.events(decode=True, filters={"type": ["container"], "event": ["die"]})
                with self._cond:
                    # `events` returns once Docker has subscribed us: from now on nothing is missed.
                    self._listening_since = time.time()
                    self._generation += 1
                    self._cond.notify_all()
                told = False
                for event in stream:
                    self._record(event)
            except Exception:  # noqa: BLE001 - waiters fall back to asking Docker; reconnect
                if not told:
                    logger.warning("Docker event stream broke; reconnecting", exc_info=True)
                    told = True
            with self._cond:
                self._listening_since = None
                self._cond.notify_all()
            time.sleep(0.5)

    def _record(self, event: dict[str, Any]) -> None:
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        name = attributes.get("name")
        if not name:
            return
        try:
            exit_code = int(attributes.get("exitCode", "-1"))
        except ValueError:
            exit_code = -1
        at = event.get("timeNano", 0) / 1e9 or float(event.get("time", 0))
        labels = {k: v for k, v in attributes.items() if k.startswith("studio.")}  # the rest is not asked for
        with self._cond:
            self._exits.setdefault(name, []).append((at, exit_code, labels))
            self._order.append((time.monotonic(), name))
            horizon = time.monotonic() - self.KEEP_SECONDS
            while self._order and self._order[0][0] < horizon:
                _, old = self._order.popleft()
                kept = self._exits.get(old)
                if kept:
                    kept.pop(0)
                    if not kept:
                        del self._exits[old]
            self._cond.notify_all()

    def listening_since(self, patience: float) -> float | None:
        """Host time from which the stream has seen every exit; waits up to `patience` for it to connect."""
        deadline = time.monotonic() + patience
        with self._cond:
            while self._listening_since is None and (remaining := deadline - time.monotonic()) > 0:
                self._cond.wait(remaining)
            return self._listening_since

    def exit_of(self, name: str, since: float | None, labels: dict[str, str]) -> tuple[float, int] | None:
        """The newest exit of a container of that name and labels at or after `since`: (time, exit code)."""
        with self._cond:
            for at, exit_code, attributes in reversed(self._exits.get(name, ())):
                if (since is None or at >= since) and all(attributes.get(k) == v for k, v in labels.items()):
                    return at, exit_code
        return None

    def wait_exit(self, name: str, timeout: float, since: float | None, labels: dict[str, str]) -> tuple[float, int] | None:
        """Waits up to `timeout` for that exit; None on timeout or when the stream breaks meanwhile."""
        deadline = time.monotonic() + timeout
        with self._cond:
            generation = self._generation
            while (hit := self.exit_of(name, since, labels)) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._generation != generation or self._listening_since is None:
                    return None
                self._cond.wait(remaining)
            return hit


_watcher = _ExitWatcher()


class DockerLauncher:
    def ensure_started(self, spec: ContainerSpec) -> tuple[ContainerState, bool]:
        _watcher.start()  # listening before the container starts, so its exit cannot be missed
        api = client()
        created = False
        try:
            container = api.containers.get(spec.name)
        except NotFound:
            container = None
        theirs = (container.labels or {}) if container is not None else {}
        if STANDBY_LABEL in theirs and STANDBY_LABEL not in spec.labels and step_identity(theirs) == step_identity(spec.labels):
            # A standby the engine gave up on (its image has no /bin/sh, say): its entrypoint is
            # the shim, so a normal start needs a fresh container of the same name.
            self.remove(spec.name)
            container = None
        if container is None:
            if spec.network:
                self._check_network(spec)
            try:
                # Created here: the labels are ours and the state is "created" (no inspect needed).
                container = api.containers.create(**self._create_kwargs(spec))
                created = True
            except ImageNotFound as exc:
                raise LaunchError(f"image {spec.image!r} does not exist on this worker's Docker engine") from exc
            except APIError as exc:
                if exc.status_code == 409:
                    # Someone created it between our get and create: same name, same step attempt.
                    container = api.containers.get(spec.name)
                    if STANDBY_LABEL in (container.labels or {}) and STANDBY_LABEL not in spec.labels:
                        raise LaunchError(f"container {spec.name!r} appeared as a standby meanwhile; not adopting it") from exc
                elif exc.status_code == 404 and spec.network and "network" in str(exc.explanation or "").lower():
                    raise LaunchError(_missing_network_message(spec)) from exc  # removed since the check
                elif exc.status_code == 404:
                    raise LaunchError(f"image {spec.image!r} does not exist on this worker's Docker engine") from exc
                else:
                    raise LaunchError(f"Docker refused to create the container: {exc.explanation or exc}") from exc
        if not created:
            theirs = container.attrs.get("Config", {}).get("Labels") or {}
            for key in STEP_IDENTITY_LABELS:
                if key in spec.labels and theirs.get(key) != spec.labels[key]:
                    # Same name, someone else's step (another database on this engine): never adopt it.
                    raise LaunchError(
                        f"container name {spec.name!r} is taken by a container of another installation "
                        f"({key}={theirs.get(key)!r}); remove it or set STUDIO_INSTALLATION_ID"
                    )
        if created or container.attrs["State"]["Status"] == "created":
            try:
                container.start()
            except APIError as exc:
                if exc.status_code != 304:  # started meanwhile by whoever else holds this name
                    raise LaunchError(f"Docker could not start the container: {exc.explanation or exc}") from exc
            container.reload()
        return _state(container), created

    def _check_network(self, spec: ContainerSpec) -> None:
        """A component that needs a network gets STUDIO_STEP_NETWORK, which must exist on the engine:
        without this check Docker would refuse with a bare 404, and an engine started without a
        bridge (`dockerd --bridge=none`, scripts/docker-engine.sh) has no `bridge` network at all."""
        try:
            client().networks.get(step_network())
        except NotFound:
            raise LaunchError(_missing_network_message(spec)) from None

    def _create_kwargs(self, spec: ContainerSpec) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "image": spec.image,
            "name": spec.name,
            "command": spec.args,
            "environment": spec.env,
            "labels": spec.labels,
            "user": spec.user,
            "working_dir": "/tmp",
            "network_mode": step_network() if spec.network else "none",
            "read_only": True,
            "tmpfs": {"/tmp": f"rw,exec,nosuid,nodev,size={spec.tmp_size},mode=1777"},
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "pids_limit": spec.pids_limit,
            "init": True,  # a real PID 1 forwards SIGTERM, so abort is prompt
            "volumes": {
                m.host_path: {"bind": m.container_path, "mode": "ro" if m.read_only else "rw"} for m in spec.mounts
            },
            "detach": True,
        }
        if spec.command:
            kwargs["entrypoint"] = spec.command
        if spec.memory_bytes:
            kwargs["mem_limit"] = spec.memory_bytes
            kwargs["memswap_limit"] = spec.memory_bytes  # no swap beyond the limit
        if spec.cpu:
            kwargs["nano_cpus"] = int(spec.cpu * 1e9)
        if spec.gpu:
            kwargs["device_requests"] = [DeviceRequest(count=spec.gpu, capabilities=[["gpu"]])]
        return kwargs

    def state(self, name: str) -> ContainerState:
        try:
            return _state(client().containers.get(name))
        except NotFound:
            return ContainerState(name=name, status="missing", exit_code=None, labels={})

    def wait(self, name: str, timeout: float, *, since: datetime | None = None,
             labels: dict[str, str] | None = None) -> ContainerState | None:
        """`since`: when the container's command started, if known (an exit of a same-named container
        before it does not count); `labels`: ones the container must carry (they are in its events)."""
        _watcher.start()
        listening = _watcher.listening_since(patience=min(timeout, 2.0))
        if listening is None:  # no event stream (yet): Docker's own wait
            return self._docker_wait(name, timeout)
        after, labels = (since.timestamp() if since else None), labels or {}
        if (after is None or listening > after) and _watcher.exit_of(name, after, labels) is None:
            # The exit may have come before the stream was listening: ask once; from here on the
            # stream sees it.
            current = self.state(name)
            if current.status in ("exited", "dead", "missing"):
                return current
        seen = _watcher.wait_exit(name, timeout, after, labels)
        if seen is not None:
            at, exit_code = seen
            if exit_code == 0:
                # The exit code is the step's verdict (as in Kubeflow and Argo): a clean exit needs no
                # inspect on the way to the next step. A failure gets one, for an out-of-memory kill.
                return ContainerState(name=name, status="exited", exit_code=0, labels={},
                                      finished_at=datetime.fromtimestamp(at, tz=UTC))
            return self.state(name)
        # Nothing seen for `timeout`: Docker drops events for a reader that falls behind, so a
        # quiet stream is confirmed by asking (once per `timeout`, while the step runs).
        current = self.state(name)
        return current if current.status in ("exited", "dead", "missing") else None

    def _docker_wait(self, name: str, timeout: float) -> ContainerState | None:
        try:
            result = client().api.wait(name, timeout=timeout)
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            return None
        except NotFound:
            return ContainerState(name=name, status="missing", exit_code=None, labels={})
        if result.get("StatusCode") == 0 and not (result.get("Error") or {}).get("Message"):
            return ContainerState(name=name, status="exited", exit_code=0, labels={})
        return self.state(name)

    def follow_logs(self, name: str, path: str) -> None:
        try:
            container = client().containers.get(name)
            # From the start every time: a re-attach rewrites the whole log, never duplicates it.
            with open(path, "wb") as out:
                for chunk in container.logs(stream=True, follow=True, stdout=True, stderr=True):
                    out.write(chunk)
                    out.flush()
        except NotFound:
            return
        except Exception:  # noqa: BLE001 - a broken log stream must not fail the step
            logger.exception("log stream of %s ended with an error", name)

    def sample_usage(self, name: str, usage: Usage) -> None:
        try:
            stats = client().api.stats(name, stream=False, one_shot=True)
        except Exception:  # noqa: BLE001 - usage is best effort
            return
        memory = stats.get("memory_stats") or {}
        peak = memory.get("max_usage") or memory.get("usage")
        if peak:
            usage.peak_memory_bytes = max(usage.peak_memory_bytes or 0, int(peak))
        total = ((stats.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage")
        if total:
            usage.cpu_seconds = max(usage.cpu_seconds or 0.0, total / 1e9)

    def stop(self, name: str, grace_seconds: float) -> None:
        try:
            client().containers.get(name).stop(timeout=max(0, int(round(grace_seconds))))
        except NotFound:
            return
        except APIError as exc:
            if exc.status_code not in (304, 404, 409):
                raise

    def remove(self, name: str) -> None:
        try:
            client().containers.get(name).remove(force=True)
        except NotFound:
            return
        except APIError as exc:
            if exc.status_code not in (404, 409):
                raise

    def list(self, labels: dict[str, str]) -> list[ContainerState]:
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        # The low-level list answers in one call; the high-level one inspects each container
        # afterwards and fails when one is removed in between.
        return [
            ContainerState(
                name=(item.get("Names") or ["/?"])[0].lstrip("/"),
                status=item.get("State", "unknown"),
                exit_code=None,
                labels=item.get("Labels") or {},
            )
            for item in client().api.containers(all=True, filters=filters)
        ]


def engine_status(*, timeout: float | None = None) -> dict[str, Any]:
    """Whether the engine answers, and its version. `timeout`: a separate short-lived client that
    gives up after that many seconds (the shared one waits up to STUDIO_DOCKER_TIMEOUT)."""
    try:
        if timeout is None:
            info = client().version()
        else:
            own = docker.DockerClient(base_url=_docker_url(), timeout=max(1, int(timeout)))
            try:
                info = own.version()
            finally:
                own.close()
        return {"ok": True, "version": info.get("Version")}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)}
