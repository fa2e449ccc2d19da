"""Engine changes tried out in the bench's own worker process (bench/worker.py), to size a fix before anyone
writes it. They monkeypatch the launcher inside the bench worker only; backend/ is untouched and the
reported figures always come from the unpatched engine.

    async-usage   docker stats leaves the critical path: the first sample_usage() of a container starts a
                  sampler thread (once a second while it runs); the step thread never waits for the daemon's
                  1 s stats tick. Usage figures stay best effort, as the engine says they are.
    lean-docker   create + start with no inspect around them (docker-py's containers.create() inspects, and
                  ensure_started() reloads once); remove() without get(). (The engine's wait() learns of exits
                  from Docker's event stream, so there is no wait() variant any more.)
                  Re-attaching to an existing container (409 on create) goes through the original code.
"""

from __future__ import annotations

import threading
import time

EXPERIMENTS = ("async-usage", "lean-docker")


def apply(name: str) -> None:
    if name == "async-usage":
        _async_usage()
    elif name == "lean-docker":
        _lean_docker()
    else:
        raise SystemExit(f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}")


def _async_usage() -> None:
    from executors.base import Usage
    from executors.docker_engine import DockerLauncher

    sample_once = DockerLauncher.sample_usage

    def sample_usage(self: DockerLauncher, name: str, usage: Usage) -> None:
        if getattr(usage, "_sampler", None) is not None:
            return

        def loop() -> None:
            while True:
                sample_once(self, name, usage)
                if self.state(name).status not in ("created", "running", "restarting"):
                    return
                time.sleep(1.0)

        thread = threading.Thread(target=loop, name=f"usage-{name}", daemon=True)
        usage._sampler = thread  # type: ignore[attr-defined]
        thread.start()

    DockerLauncher.sample_usage = sample_usage  # type: ignore[method-assign]


def _lean_docker() -> None:
    from docker.errors import APIError, NotFound
    from docker.models.containers import _create_container_args

    from executors import docker_engine
    from executors.base import ContainerSpec, ContainerState, LaunchError
    from executors.docker_engine import DockerLauncher, client

    ensure_started = DockerLauncher.ensure_started

    def lean_ensure_started(self: DockerLauncher, spec: ContainerSpec) -> tuple[ContainerState, bool]:
        api = client().api
        kwargs = self._create_kwargs(spec)
        kwargs.pop("detach", None)
        kwargs["version"] = api._version  # what ContainerCollection.create() adds before the same conversion
        try:
            api.create_container(**_create_container_args(kwargs))
        except Exception:  # noqa: BLE001 - name taken (re-attach), image missing...: the original code decides
            return ensure_started(self, spec)
        try:
            api.start(spec.name)
        except APIError as exc:
            raise LaunchError(f"Docker could not start the container: {exc.explanation or exc}") from exc
        return ContainerState(name=spec.name, status="running", exit_code=None, labels=spec.labels), True

    def lean_remove(self: DockerLauncher, name: str) -> None:
        try:
            client().api.remove_container(name, force=True)
        except NotFound:
            return
        except APIError as exc:
            if exc.status_code not in (404, 409):
                raise

    DockerLauncher.ensure_started = lean_ensure_started  # type: ignore[method-assign]
    DockerLauncher.remove = lean_remove  # type: ignore[method-assign]
    assert docker_engine.DockerLauncher is DockerLauncher
