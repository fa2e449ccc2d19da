"""The run engine: advance a run, execute a step, abort, reconcile.

The database is the source of truth. Every state change is a claim: a
conditional UPDATE whose row count says who won, so two workers (or a
redelivered task) never both queue, start or finish one step. Tasks in
runs/tasks.py are thin wrappers around the functions here.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import socket
import stat
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from catalog import spec as catalog_spec
from catalog import types as ctypes
from datasets import store
from executors import standby as standby_lib
from executors.base import (
    STANDBY_LABEL,
    ContainerSpec,
    ContainerState,
    Launcher,
    LaunchError,
    Mount,
    Usage,
    step_identity,
)
from executors.command import INPUTS_DIR, OUTPUTS_DIR, CommandLine, CommandLineError, build
from pipelines import graph as graph_lib
from runs import previews
from runs.models import (
    RUN_TERMINAL,
    STEP_SUCCEEDED,
    STEP_TERMINAL,
    Artifact,
    Run,
    RunStatus,
    StepRun,
    StepStatus,
)

logger = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(name, getattr(settings, name, default)))


def heartbeat_seconds() -> float:
    return _setting("STUDIO_HEARTBEAT_SECONDS", 5)


def stale_seconds() -> float:
    """A running step whose heartbeat is older than this has lost its worker."""
    return _setting("STUDIO_STALE_SECONDS", 30)


def abort_grace_seconds() -> float:
    return _setting("STUDIO_ABORT_GRACE_SECONDS", 2)


def retry_backoff_seconds(attempt: int) -> float:
    base = _setting("STUDIO_RETRY_BACKOFF_SECONDS", 2)
    return float(min(base * (2 ** max(0, attempt - 1)), 300))


def standby_per_run() -> int:
    """Standby containers kept ready per run ahead of its running steps (0 turns them off)."""
    return int(_setting("STUDIO_STANDBY_PER_RUN", 8))


def standby_max() -> int:
    """Idle standby containers on this installation at most, across runs (0 turns them off)."""
    return int(_setting("STUDIO_STANDBY_MAX", 8))


MAX_RECOVERIES = 3

def _enqueue(task_name: str, *args: Any, countdown: float | None = None) -> None:
    from studio.celery import app

    def send() -> None:
        app.send_task(task_name, args=list(args), countdown=countdown)

    transaction.on_commit(send)


def enqueue_advance(run_id: int) -> None:
    _enqueue("runs.advance_run", run_id)


def advance_after_commit(run_id: int) -> None:
    """After a step ends, advance its run right here, in the worker thread that saw it end.

    Going through the broker would put the advance behind every queued step message
    (a backlog of thousands under load) and costs a round trip per step; the broker
    stays the fallback if advancing here fails.
    """

    def advance() -> None:
        try:
            run_advance(run_id=run_id)
        except Exception:  # noqa: BLE001
            logger.exception("advancing run %s in place failed; handing it to a worker", run_id)
            enqueue_advance(run_id)

    transaction.on_commit(advance)


def enqueue_execute(step_id: int, countdown: float | None = None) -> None:
    _enqueue("runs.execute_step", step_id, countdown=countdown)


def installation_id() -> str:
    """Tells apart installations that share one Docker engine (a dev stack, the tests, a benchmark).

    Run ids restart at 1 in every database, so `ps-<run>-<step>-<attempt>` alone may name
    another installation's container; this label, checked on re-attach, keeps them apart.
    """
    configured = os.environ.get("STUDIO_INSTALLATION_ID")
    if configured:
        return configured
    db = connection.settings_dict
    return hashlib.sha1(f"{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}".encode()).hexdigest()[:12]


def container_name(run_id: int, node_id: str, attempt: int) -> str:
    safe = re.sub(r"[^a-zA-Z0-9_.-]", "-", node_id)[:60]
    if safe != node_id:
        safe = f"{safe}-{hashlib.sha1(node_id.encode()).hexdigest()[:6]}"
    return f"ps-{run_id}-{safe}-{attempt}"


def log_path(step: StepRun, attempt: int | None = None) -> Path:
    safe = re.sub(r"[^a-zA-Z0-9_.-]", "_", step.node_id)
    directory = Path(settings.LOG_ROOT) / str(step.run_id)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{safe}.{attempt or step.attempt or 1}.log"


def effective_step_id(step: StepRun) -> int:
    return step.cached_from_id or step.pk


# --------------------------------------------------------------------------- advance


def run_advance(*, run_id: int) -> None:
    """Queues every step whose upstreams are done, skips those behind a failure, closes the run."""
    with transaction.atomic():
        run = Run.objects.select_for_update().select_related("pipeline_version").filter(pk=run_id).first()
        if run is None or run.status in RUN_TERMINAL:
            return
        now = timezone.now()
        if run.status == RunStatus.PENDING and not run.abort_requested:
            Run.objects.filter(pk=run.pk, status=RunStatus.PENDING).update(status=RunStatus.RUNNING, started_at=now)
            run.status = RunStatus.RUNNING
        steps = {s.node_id: s for s in run.steps.select_related("component_version")}
        graph = run.pipeline_version.graph
        nodes, upstream = graph_lib.nodes_by_id(graph), graph_lib.dependencies(graph)
        order = graph_lib.topological_order(graph)
        for node_id in order:
            node = nodes[node_id]
            step = steps.get(node_id)
            if step is None or step.status != StepStatus.PENDING:
                continue
            if run.abort_requested:
                if StepRun.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
                    status=StepStatus.ABORTED, finished_at=now, error="run aborted"
                ):
                    step.status = StepStatus.ABORTED
                continue
            ups = [steps[u] for u in upstream[node_id] if u in steps]
            broken = [u for u in ups if u.status in (StepStatus.FAILED, StepStatus.ABORTED, StepStatus.SKIPPED)]
            if broken:
                reason = f"upstream step '{broken[0].node_id}' {broken[0].status}"
                if StepRun.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
                    status=StepStatus.SKIPPED, finished_at=now, error=reason
                ):
                    step.status = StepStatus.SKIPPED
                continue
            if not all(u.status in STEP_SUCCEEDED for u in ups):
                continue
            blobs: dict[int, str] = {}
            try:
                inputs = _resolve_inputs(run, node, step, steps, blobs)
            except ValueError as exc:
                if StepRun.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
                    status=StepStatus.FAILED, finished_at=now, error=str(exc)
                ):
                    step.status = StepStatus.FAILED
                continue
            pending = StepRun.objects.filter(pk=step.pk, status=StepStatus.PENDING)
            queue = {"status": StepStatus.QUEUED, "inputs": inputs, "queued_at": now}
            # A standby is released on the flag as it is now (the row is ours until commit), not as
            # read above: a failed prepare clears it while holding the row.
            release = bool(step.standby and not step.attempt and pending.filter(standby=True).update(**queue))
            if release or pending.update(**queue):
                step.status = StepStatus.QUEUED
                if release:
                    _release_queued(step, inputs, blobs)
                enqueue_execute(step.pk)  # sent after commit, so the worker sees the queued row
        # Standby containers of steps that will never run go; new ones are asked for ahead of the frontier.
        unused = [s for s in steps.values() if s.standby and s.attempt == 0 and s.status in STEP_TERMINAL]
        if unused:
            # Removed before this transaction commits: a run never looks finished while they exist.
            StepRun.objects.filter(pk__in=[s.pk for s in unused]).update(standby=False)
            _standbys_discard([container_name(s.run_id, s.node_id, 1) for s in unused])
        if all(s.status in STEP_TERMINAL for s in steps.values()):
            _close_run(run, list(steps.values()))
        elif not run.abort_requested:
            _plan_standbys(steps, upstream, order)


def _close_run(run: Run, steps: list[StepRun]) -> None:
    failed = [s for s in steps if s.status in (StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.ABORTED)]
    if run.abort_requested:
        status, error = RunStatus.ABORTED, "aborted"
    elif failed:
        first = next((s for s in failed if s.status == StepStatus.FAILED), failed[0])
        status, error = RunStatus.FAILED, f"step '{first.node_id}' {first.status}: {first.error}".strip()
    else:
        status, error = RunStatus.COMPLETED, ""
    now = timezone.now()
    closed = Run.objects.filter(pk=run.pk, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).update(
        status=status, error=error[:4000], finished_at=now, started_at=run.started_at or now
    )
    if closed and status == RunStatus.COMPLETED:
        # Metric triggers read the finished run's outputs (triggers/services.py); sent after commit.
        _enqueue("triggers.run_finished", run.pk)


def _resolve_inputs(run: Run, node: dict[str, Any], step: StepRun, steps: dict[str, StepRun],
                    blobs: dict[int, str] | None = None) -> dict[str, Any]:
    """Each input → {"value": v} or {"artifact": id}; unbound optional inputs are left out.
    `blobs` receives each artifact's content hash, for a release that follows at once."""
    spec = step.component_version.spec
    arguments = node.get("arguments") or {}
    resolved: dict[str, Any] = {}
    for port in spec.get("inputs") or []:
        name = port["name"]
        type_ = ctypes.type_name(port.get("type"))
        binding = arguments.get(name)
        pinned = (run.dataset_inputs or {}).get(node["id"], {}).get(name)
        if pinned is not None:
            # A dataset version pinned when the run was created (graph binding or dataset trigger).
            resolved[name] = _dataset_input(name, pinned, type_)
        elif isinstance(binding, dict) and "value" in binding:
            resolved[name] = {"value": binding["value"]}
        elif isinstance(binding, dict) and "parameter" in binding:
            if binding["parameter"] not in run.parameters:
                raise ValueError(f"input '{name}': pipeline parameter '{binding['parameter']}' has no value")
            resolved[name] = {"value": run.parameters[binding["parameter"]]}
        elif isinstance(binding, dict) and "from" in binding:
            source = binding["from"]
            upstream = steps[source["node"]]
            artifact = Artifact.objects.filter(step_id=effective_step_id(upstream), name=source["output"]).first()
            if artifact is None:
                raise ValueError(f"input '{name}': step '{source['node']}' produced no output '{source['output']}'")
            resolved[name] = {"artifact": artifact.pk}
            if blobs is not None:
                blobs[artifact.pk] = artifact.sha256
            if ctypes.is_value_type(type_):
                # A value input fed by an upstream output: the file's text is the value.
                resolved[name]["value"] = store.read_head(artifact.sha256, 64 * 1024).decode("utf-8", "replace")
        elif port.get("default") is not None:
            resolved[name] = {"value": port["default"]}
        elif not port.get("optional"):
            raise ValueError(f"input '{name}' is required and has no value")
    return resolved


def _dataset_input(name: str, pinned: dict[str, Any], type_: str | None) -> dict[str, Any]:
    from datasets import services as dataset_services

    return dataset_services.dataset_input_resolve(name=name, pinned=pinned, type_=type_)


# --------------------------------------------------------------------------- standby containers


_no_shell_images: set[str] = set()  # images whose standby failed to start (no /bin/sh): normal starts only


def _standby_image(step: StepRun) -> str | None:
    """The step's image if a standby container can run it: the shim replaces the entrypoint, so
    the component must name its command (an image's own ENTRYPOINT is not known here)."""
    container = (step.component_version.spec.get("implementation") or {}).get("container") or {}
    image = container.get("image") or ""
    if not container.get("command") or not image or image in _no_shell_images:
        return None
    return image


def _plan_standbys(steps: dict[str, StepRun], upstream: dict[str, list[str]], order: list[str]) -> None:
    """Asks for standby containers for the next pending steps (topological order) whose upstreams
    have not failed, within the per-run and the installation's limits. Inside run_advance's
    transaction; the `runs.prepare_step` messages go after commit."""
    per_run, total = standby_per_run(), standby_max()
    if per_run <= 0 or total <= 0:
        return
    room = per_run - sum(1 for s in steps.values() if s.standby and s.status in (StepStatus.PENDING, StepStatus.QUEUED))
    if room <= 0:
        return
    candidates: list[StepRun] = []
    for node_id in order:
        step = steps.get(node_id)
        if step is None or step.status != StepStatus.PENDING or step.standby or step.attempt:
            continue
        ups = [steps[u] for u in upstream[node_id] if u in steps]
        if any(u.status in (StepStatus.FAILED, StepStatus.ABORTED, StepStatus.SKIPPED) for u in ups):
            continue
        if _standby_image(step) is None:
            continue
        candidates.append(step)
        if len(candidates) == room:
            break
    if not candidates:
        return
    idle = StepRun.objects.filter(standby=True, status__in=[StepStatus.PENDING, StepStatus.QUEUED]).count()
    for step in candidates[: max(0, total - idle)]:
        if StepRun.objects.filter(pk=step.pk, status=StepStatus.PENDING, standby=False).update(standby=True):
            step.standby = True
            _enqueue("runs.prepare_step", step.pk)


def _standby_work_dir(step: StepRun) -> Path:
    """A standby serves the step's first attempt: the work directory that attempt will use."""
    return store.scratch_dir("steps", str(step.run_id), str(step.pk), "1")


def step_prepare(*, step_id: int, launcher: Launcher | None = None) -> None:
    """Creates and starts the standby container of a step that has not started yet.

    Holds the step's row lock meanwhile, so the step is neither claimed, queued nor
    skipped while its standby is half made. A step released already (queued before this
    message was handled) gets no standby: its worker starts it normally. On failure
    the container goes and the flag is cleared, so the worker starts normally.
    """
    with transaction.atomic():
        step = (
            StepRun.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("run", "component_version", "run__pipeline_version")
            .filter(pk=step_id, standby=True, attempt=0, status__in=[StepStatus.PENDING, StepStatus.QUEUED])
            .first()
        )
        if step is None or step.run.abort_requested or standby_lib.is_released(_standby_work_dir(step) / "control"):
            return
        launcher = launcher or _default_launcher()
        name = container_name(step.run_id, step.node_id, 1)
        try:
            if _standby_image(step) is None:
                raise LaunchError("the component does not name its command")
            launcher.ensure_started(_standby_spec(step, name))
            standby_lib.mark_started(_standby_work_dir(step) / "control")
        except Exception as exc:  # noqa: BLE001 - a standby is an optimisation; the normal start remains
            logger.info("step %s of run %s: no standby container (%s)", step.node_id, step.run_id, exc)
            StepRun.objects.filter(pk=step.pk).update(standby=False)
            with contextlib.suppress(Exception):  # not released (the row lock says so): nothing of the step ran
                launcher.remove(name)


def _standbys_discard(names: list[str], launcher: Launcher | None = None) -> None:
    """Removes standby containers of steps that will not run (skipped, aborted, failed upstream)."""
    try:
        launcher = launcher or _default_launcher()
        for name in names:
            launcher.remove(name)
    except Exception:  # noqa: BLE001 - the reconciler's sweep removes what is left
        logger.warning("could not remove standby containers %s", names, exc_info=True)


def _default_launcher() -> Launcher:
    from executors.selectors import get_launcher

    return get_launcher()


# --------------------------------------------------------------------------- execute


@dataclass
class _Outcome:
    status: str
    exit_code: int | None
    error: str


def step_execute(*, step_id: int, launcher: Launcher | None = None) -> None:
    """Runs one step's container to the end (or re-attaches to it) and records the outcome."""
    launcher = launcher or _default_launcher()
    token = f"{WORKER_ID}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    claimed = StepRun.objects.filter(pk=step_id, status=StepStatus.QUEUED).update(
        status=StepStatus.RUNNING,
        attempt=F("attempt") + 1,
        started_at=now,
        finished_at=None,
        exit_code=None,
        error="",
        worker=token,
        heartbeat_at=now,
    )
    step = StepRun.objects.select_related("run", "component_version", "run__pipeline_version").filter(pk=step_id).first()
    if step is None:
        return
    if not claimed:
        if step.status != StepStatus.RUNNING:
            return  # finished, skipped or aborted already: a duplicate delivery
        # A running step: take it over only if its worker stopped beating.
        stale = now - timedelta(seconds=stale_seconds())
        took = StepRun.objects.filter(pk=step_id, status=StepStatus.RUNNING, heartbeat_at__lt=stale).update(
            worker=token, heartbeat_at=now, recoveries=F("recoveries") + 1
        )
        if not took:
            return
        step.refresh_from_db()
        logger.warning("step %s of run %s: taking over from a lost worker", step.node_id, step.run_id)
        if step.recoveries > MAX_RECOVERIES:
            _finish(step, token, _Outcome(StepStatus.FAILED, None, f"worker lost {step.recoveries} times; giving up"))
            return
        if launcher.state(step.container_name or container_name(step.run_id, step.node_id, step.attempt)).status == "missing":
            # The worker died before the container existed (or it was removed): that attempt is lost.
            _finish(step, token, _Outcome(StepStatus.FAILED, None, "worker lost before the container started"))
            return
    if step.run.abort_requested:
        _discard_own_standby(step, launcher)
        _finish(step, token, _Outcome(StepStatus.ABORTED, None, "run aborted"))
        return
    try:
        outcome = _run_container(step, token, launcher)
    except Exception as exc:  # noqa: BLE001 - never leave a step running on an unexpected error
        logger.exception("step %s of run %s failed inside the engine", step.node_id, step.run_id)
        outcome = _Outcome(StepStatus.FAILED, None, f"internal error: {exc}")
        if step.container_name:
            try:  # a failed step leaves no container behind
                launcher.remove(step.container_name)
            except Exception:  # noqa: BLE001
                logger.exception("could not remove container %s", step.container_name)
    if outcome is not None:
        _discard_own_standby(step, launcher)
        _finish(step, token, outcome)


def _discard_own_standby(step: StepRun, launcher: Launcher) -> None:
    """A step that ends without having used its standby container (aborted before it started, a
    command line that cannot be built) removes it; after a run in it, this finds nothing."""
    if step.standby and step.attempt == 1:
        _standbys_discard([container_name(step.run_id, step.node_id, 1)], launcher)


def _work_dir(step: StepRun) -> Path:
    return store.scratch_dir("steps", str(step.run_id), str(step.pk), str(step.attempt))


def _command_line(step: StepRun) -> CommandLine:
    values = {k: v["value"] for k, v in step.inputs.items() if "value" in v}
    return build(step.component_version.spec, values=values, present=set(step.inputs))


def _input_file(step: StepRun, work: Path, input_name: str, blobs: dict[int, str] | None = None) -> Path:
    """Where an input's content is on this machine: the artifact's blob, or a constant passed to
    an inputPath, written to a file as KFP does. `blobs`: artifact id → content hash, if known."""
    bound = step.inputs.get(input_name) or {}
    if "artifact" in bound:
        sha256 = (blobs or {}).get(bound["artifact"])
        return store.blob_path(sha256 or Artifact.objects.get(pk=bound["artifact"]).sha256)
    path = work / "constants" / input_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ctypes.to_command_line(bound.get("value", "")), encoding="utf-8")
    path.chmod(0o644)
    return path


def _outputs_dir(work: Path) -> Path:
    outputs = work / "outputs"
    outputs.mkdir(parents=True, exist_ok=True)
    outputs.chmod(0o777)  # the step runs as an unprivileged user
    return outputs


def _container_spec(step: StepRun, name: str, work: Path, line: CommandLine) -> ContainerSpec:
    """A normal start: the command line is known, each input is mounted read-only at its path."""
    mounts = [
        Mount(str(store.host_path(_input_file(step, work, input_name))), container_path, read_only=True)
        for input_name, container_path in line.input_paths.items()
    ]
    mounts.append(Mount(str(store.host_path(_outputs_dir(work))), OUTPUTS_DIR, read_only=False))
    return _spec_for(step, name, command=line.command or None, args=line.args, mounts=mounts)


def _standby_spec(step: StepRun, name: str) -> ContainerSpec:
    """A standby start (executors/standby.py): the shim waits for the command line, inputs are
    linked into a read-only /inputs directory at release."""
    work = _standby_work_dir(step)
    inputs, control = work / "inputs", work / "control"
    inputs.mkdir(parents=True, exist_ok=True)
    standby_lib.prepare_control_dir(control)
    mounts = [
        Mount(str(store.host_path(inputs)), INPUTS_DIR, read_only=True),
        Mount(str(store.host_path(_outputs_dir(work))), OUTPUTS_DIR, read_only=False),
        Mount(str(store.host_path(control)), standby_lib.CONTROL_DIR, read_only=True),  # the shim only reads
    ]
    return _spec_for(step, name, command=standby_lib.ENTRYPOINT, args=[], mounts=mounts, standby=True)


def _spec_for(step: StepRun, name: str, *, command: list[str] | None, args: list[str], mounts: list[Mount],
              standby: bool = False) -> ContainerSpec:
    spec = step.component_version.spec
    node = next(
        (n for n in step.run.pipeline_version.graph.get("nodes") or [] if n.get("id") == step.node_id), {}
    )
    container = (spec.get("implementation") or {}).get("container") or {}
    # The catalog's defaults (1 CPU, 1 GiB, no GPU), then the component's `resources`, then the
    # node's override: what the catalog shows, parsed by the same function. 0 means no limit.
    limits = catalog_spec.resources(spec, node.get("resources"))
    annotations = (spec.get("metadata") or {}).get("annotations") or {}
    env = {str(k): str(v) for k, v in (container.get("env") or {}).items()}
    env.update({"PS_RUN_ID": str(step.run_id), "PS_STEP": step.node_id, "HOME": "/tmp"})
    labels = {
        "studio.run": str(step.run_id),
        "studio.step": step.node_id,
        "studio.attempt": str(max(step.attempt, 1)),
        "studio.pipeline": str(step.run.pipeline_id),
        **_identity(step),
    }
    if standby:
        labels[STANDBY_LABEL] = "1"
    return ContainerSpec(
        name=name,
        image=container.get("image", ""),
        command=command,
        args=args,
        env=env,
        labels=labels,
        mounts=mounts,
        cpu=limits["cpu"] or None,
        memory_bytes=limits["memory_bytes"] or None,
        gpu=limits["gpu"],
        network=str(annotations.get("network", "")).lower() == "true",
        component=str(spec.get("name") or f"component version {step.component_version_id}"),
    )


def _release_standby(step: StepRun, line: CommandLine, blobs: dict[int, str] | None = None) -> Path:
    """Links the inputs into the standby's /inputs and hands it the command line, unless that
    happened already (run_advance releases as soon as the step is queued). Returns the control
    directory."""
    work = _standby_work_dir(step)
    control = work / "control"
    if not standby_lib.is_released(control):
        for input_name, container_path in line.input_paths.items():
            standby_lib.link_input(_input_file(step, work, input_name, blobs), work / "inputs" / Path(container_path).name)
        standby_lib.release(control, [*line.command, *line.args])
    return control


def _release_queued(step: StepRun, inputs: dict[str, Any], blobs: dict[int, str]) -> None:
    """Starts a step's command in its standby container the moment run_advance queues it, in the
    thread that advanced the run, without waiting for a worker to pick the step up; the worker
    that claims the step then waits for the container (and wakes the shim again, in case this
    wake-up came between the shim's check and its read).

    Inside run_advance's transaction, after the conditional update that queued the step: if the
    transaction were rolled back, the step stays pending with a released standby, and the next
    advance queues it again; a second release of the same container changes nothing."""
    try:
        step.inputs = inputs
        line = _command_line(step)
        if line.command:
            os.close(standby_lib.wake(_release_standby(step, line, blobs)))
    except Exception:  # noqa: BLE001 - the claiming worker releases (or starts normally) instead
        logger.info("early release of step %s of run %s failed", step.node_id, step.run_id, exc_info=True)


def _identity(step: StepRun) -> dict[str, str]:
    """The labels that make a container this installation's container of this step."""
    return {"studio.installation": installation_id(), "studio.step-id": str(step.pk)}


def _run_container(step: StepRun, token: str, launcher: Launcher) -> _Outcome | None:
    name = step.container_name if step.container_name.endswith(f"-{step.attempt}") else ""
    name = name or container_name(step.run_id, step.node_id, step.attempt)
    StepRun.objects.filter(pk=step.pk, worker=token).update(container_name=name)
    step.container_name = name
    work = _work_dir(step)
    try:
        line = _command_line(step)
    except (CommandLineError, ValueError) as exc:
        return _Outcome(StepStatus.FAILED, None, f"cannot build the command line: {exc}")
    if step.standby and step.attempt == 1 and line.command:
        outcome = _run_standby(step, token, launcher, name, work, line)
        if outcome is not _START_NORMALLY:
            return outcome  # type: ignore[return-value]
        StepRun.objects.filter(pk=step.pk).update(standby=False)
        step.standby = False
    cspec = _container_spec(step, name, work, line)
    try:
        started, _ = launcher.ensure_started(cspec)
    except LaunchError as exc:
        return _Outcome(StepStatus.FAILED, None, str(exc))
    return _wait_container(step, token, launcher, cspec, work, launched_at=started.started_at)


_START_NORMALLY = object()


def _run_standby(step: StepRun, token: str, launcher: Launcher, name: str, work: Path, line: CommandLine) -> Any:
    """Runs the step in its standby container: releases it (unless run_advance did), wakes the shim
    and waits. Returns _START_NORMALLY when nothing of the step ran (no standby container exists,
    or it died before the release); once released, never starts the step a second way."""
    control = work / "control"
    released = standby_lib.released_at(control)
    current: ContainerState | None = None
    if released is None or not standby_lib.is_started(control):
        current = launcher.state(name)
        mine = step_identity(current.labels) == _identity(step)
        if current.status == "missing" or STANDBY_LABEL not in current.labels or not mine:
            # Prepare failed or never ran (claiming waited for its row lock); another installation's
            # container of that name makes the normal start fail with a clear message.
            return _START_NORMALLY
        try:
            _release_standby(step, line)
        except OSError as exc:
            if not standby_lib.is_released(control):
                logger.info("step %s of run %s: standby not released (%s)", step.node_id, step.run_id, exc)
                launcher.remove(name)
                return _START_NORMALLY
            raise
        released = standby_lib.released_at(control)
    # Else run_advance released it and step_prepare had started this step's own container (it marks
    # that only after the start; a failed prepare removes the container): no inspect on the way to
    # the wait, which reports a container that vanished since.
    wake = standby_lib.wake(control)  # kept open until the container exits: no lost wake-up
    try:
        cspec = _standby_spec(step, name)
        if current is not None and current.status == "created":  # prepared, but its start did not go through
            current, _ = launcher.ensure_started(cspec)
        started = current.started_at if current is not None else None
        launched = max(t for t in (released, started) if t) if (released or started) else None
        return _wait_container(step, token, launcher, cspec, work, launched_at=launched, released_at=released)
    except _ShimFailed as exc:
        # The image cannot run the shim (no /bin/sh): the container died before the release.
        logger.info("step %s of run %s: %s; starting normally", step.node_id, step.run_id, exc)
        _no_shell_images.add(exc.image)
        launcher.remove(name)
        return _START_NORMALLY
    except LaunchError as exc:
        launcher.remove(name)  # released: the attempt fails rather than run the step a second way
        return _Outcome(StepStatus.FAILED, None, f"standby container: {exc}")
    finally:
        os.close(wake)


class _ShimFailed(Exception):
    """A standby container ended before its release: the image cannot run the shim."""

    def __init__(self, message: str, image: str) -> None:
        super().__init__(message)
        self.image = image


def _wait_container(step: StepRun, token: str, launcher: Launcher, cspec: ContainerSpec, work: Path, *,
                    launched_at: datetime | None, released_at: datetime | None = None) -> _Outcome | None:
    """Waits for the step's container (beating, watching for abort and timeout), then records it.
    `released_at` is set for a standby container: its command started then, not at the claim."""
    name = cspec.name
    if launched_at:
        StepRun.objects.filter(pk=step.pk, worker=token).update(launched_at=launched_at)

    logs = threading.Thread(target=launcher.follow_logs, args=(name, str(log_path(step))), daemon=True)
    logs.start()
    usage = Usage()
    stop_sampling = threading.Event()
    threading.Thread(target=_sample_usage_until, args=(launcher, name, usage, stop_sampling), daemon=True).start()
    began = released_at or step.started_at or timezone.now()
    deadline = began + timedelta(seconds=step.timeout_seconds) if step.timeout_seconds else None
    timed_out = False
    last_beat = time.monotonic()
    # Only this container's exit counts: its labels, and not before its command started (a same-named
    # standby that ended before its release is not this step's end).
    while True:
        state = launcher.wait(name, timeout=1.0, since=launched_at, labels=step_identity(cspec.labels))
        if state is not None:
            break
        if time.monotonic() - last_beat >= min(1.0, heartbeat_seconds()):
            last_beat = time.monotonic()
            # One query is both the heartbeat and the abort check.
            try:
                alive = StepRun.objects.filter(
                    pk=step.pk, worker=token, status=StepStatus.RUNNING, run__abort_requested=False
                ).update(heartbeat_at=timezone.now())
            except DatabaseError:
                # A database blip must not fail a healthy step: keep waiting, beat again next
                # second; if the outage outlasts STUDIO_STALE_SECONDS the reconciler decides.
                logger.warning("heartbeat of step %s failed; retrying", step.pk, exc_info=True)
                close_old_connections()
                continue
            if not alive:
                current = StepRun.objects.filter(pk=step.pk).values("worker", "status").first()
                if current and current["worker"] != token and current["status"] == StepStatus.RUNNING:
                    return None  # another worker took over; leave its container alone
                stop_sampling.set()
                launcher.stop(name, abort_grace_seconds())
                launcher.wait(name, timeout=10)
                logs.join(timeout=5)
                launcher.remove(name)
                _cleanup(work)
                return _Outcome(StepStatus.ABORTED, None, "run aborted")
        if deadline and not timed_out and timezone.now() >= deadline:
            timed_out = True
            launcher.stop(name, abort_grace_seconds())
    stop_sampling.set()
    if state.status == "missing" or timed_out or state.oom_killed or state.exit_code != 0:
        logs.join(timeout=10)  # the error message quotes the log's last line
    if released_at and state.finished_at and state.finished_at < released_at and state.exit_code != 0:
        stop_sampling.set()
        raise _ShimFailed(f"its standby container exited with code {state.exit_code} before the release", cspec.image)
    try:
        if state.status == "missing":
            return _Outcome(StepStatus.FAILED, None, "the container disappeared before it finished")
        if timed_out:
            return _Outcome(StepStatus.FAILED, state.exit_code, f"timed out after {step.timeout_seconds}s; the container was killed")
        if state.oom_killed:
            limit = cspec.memory_bytes or 0
            return _Outcome(StepStatus.FAILED, state.exit_code, f"killed: out of memory (limit {limit // (1024 * 1024)} MiB)")
        if state.exit_code != 0:
            tail = _log_tail(step)
            return _Outcome(StepStatus.FAILED, state.exit_code, f"exited with code {state.exit_code}" + (f": {tail}" if tail else ""))
        return _collect_outputs(step, token, work, usage, state.exit_code)
    finally:
        logs.join(timeout=10)  # after recording a success: the stream ends a moment after the container
        StepRun.objects.filter(pk=step.pk).update(
            peak_memory_bytes=usage.peak_memory_bytes,
            cpu_seconds=usage.cpu_seconds,
            log_size=_size(log_path(step)),
        )
        launcher.remove(name)
        _cleanup(work)


def _sample_usage_until(launcher: Launcher, name: str, usage: Usage, stop: threading.Event) -> None:
    """Samples memory and CPU in the background: Docker answers a stats call only at its next
    one-second tick, which must never delay recording the step's end."""
    while not stop.is_set():
        launcher.sample_usage(name, usage)
        stop.wait(0.5)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _log_tail(step: StepRun) -> str:
    try:
        with open(log_path(step), "rb") as handle:
            handle.seek(max(0, _size(log_path(step)) - 2000))
            lines = [ln for ln in handle.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1][:500] if lines else ""
    except OSError:
        return ""


def _cleanup(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)


def _collect_outputs(step: StepRun, token: str, work: Path, usage: Usage, exit_code: int | None) -> _Outcome | None:
    spec = step.component_version.spec
    outputs_dir = work / "outputs"
    ports = spec.get("outputs") or []
    # Every output is checked before any is stored. The step wrote these paths: an output that is a
    # symbolic link (`/outputs/model` → `/etc/shadow`) would have the worker, which runs as root,
    # read and chmod whatever it points at on the worker's machine; a named pipe would block it.
    kinds: dict[str, int] = {}
    for port in ports:
        problem, mode = _output_problem(outputs_dir, port["name"])
        if problem:
            return _Outcome(StepStatus.FAILED, exit_code, problem)
        kinds[port["name"]] = mode
    blobs: list[tuple[dict[str, Any], store.Blob, str, dict[str, Any] | None]] = []
    for port in ports:
        path = outputs_dir / port["name"]
        type_ = ctypes.type_name(port.get("type"))
        if stat.S_ISDIR(kinds[port["name"]]):
            media = "application/x-tar"
            archive = work / f"{port['name']}.tar"
            # Links inside the directory are archived as links (tarfile never dereferences them by
            # default), so nothing outside the directory is read.
            with tarfile.open(archive, "w") as tar:
                tar.add(path, arcname=port["name"], recursive=True)
            path = archive
        else:
            media = previews.media_type(type_, path)
        try:
            blob = store.put_file(path, move=True)
        except store.NotARegularFile as exc:  # swapped after the check above (the container has exited)
            return _Outcome(StepStatus.FAILED, exit_code, _not_regular_message(port["name"], exc.kind))
        # A directory's archive has no preview (its bytes are tar headers and NUL padding, which a
        # text preview would carry into JSON that PostgreSQL refuses).
        preview = None if stat.S_ISDIR(kinds[port["name"]]) else previews.build(type_, blob.path, blob.size)
        blobs.append((port, blob, media, preview))
    with transaction.atomic():
        done = StepRun.objects.filter(
            pk=step.pk, worker=token, status=StepStatus.RUNNING, run__abort_requested=False
        ).update(status=StepStatus.COMPLETED, exit_code=exit_code, finished_at=timezone.now(), error="")
        if not done:
            return _abort_if_requested(step, token)
        created = Artifact.objects.bulk_create(
            [
                Artifact(
                    run_id=step.run_id,
                    step_id=step.pk,
                    name=port["name"],
                    type=ctypes.type_name(port.get("type")) or "",
                    media_type=media,
                    size=blob.size,
                    sha256=blob.sha256,
                    uri=blob.uri,
                    preview=preview,
                )
                for port, blob, media, preview in blobs
            ]
        )
        _publish_outputs(step, created)
        advance_after_commit(step.run_id)
    return None


def _output_problem(outputs_dir: Path, name: str) -> tuple[str, int]:
    """Why output `name` cannot be stored ("" if it can), and its lstat mode."""
    try:
        mode = os.lstat(outputs_dir / name).st_mode
    except FileNotFoundError:
        return f"output '{name}' was not written to {OUTPUTS_DIR}/{name}", 0
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return "", mode
    return _not_regular_message(name, store.file_kind(mode)), mode


def _not_regular_message(name: str, kind: str) -> str:
    return f"output `{name}` is {kind}; outputs must be regular files (or directories)"


def _publish_outputs(step: StepRun, artifacts: list[Artifact]) -> None:
    """Outputs the node declares under `publish` become dataset versions, in the completing transaction."""
    from datasets import services as dataset_services

    node = next((n for n in step.run.pipeline_version.graph.get("nodes") or [] if n.get("id") == step.node_id), {})
    if node.get("publish"):
        dataset_services.step_outputs_publish(step=step, artifacts=artifacts)


def _abort_if_requested(step: StepRun, token: str) -> _Outcome | None:
    if Run.objects.filter(pk=step.run_id, abort_requested=True).exists():
        return _Outcome(StepStatus.ABORTED, None, "run aborted")
    return None  # someone else owns the step now


def _finish(step: StepRun, token: str, outcome: _Outcome) -> None:
    """Records a failed or aborted attempt; queues the next attempt when retries remain."""
    with transaction.atomic():
        aborting = Run.objects.filter(pk=step.run_id, abort_requested=True).exists()
        status = StepStatus.ABORTED if aborting else outcome.status
        error = "run aborted" if aborting else outcome.error
        current = StepRun.objects.filter(pk=step.pk).values("attempt", "max_attempts").first() or {}
        if status == StepStatus.FAILED and current.get("attempt", 0) < current.get("max_attempts", 1):
            retried = StepRun.objects.filter(pk=step.pk, worker=token, status=StepStatus.RUNNING).update(
                status=StepStatus.QUEUED,
                exit_code=outcome.exit_code,
                error=f"attempt {current['attempt']} failed: {error}"[:4000],
                queued_at=timezone.now(),
            )
            if retried:
                enqueue_execute(step.pk, countdown=retry_backoff_seconds(current["attempt"]))
                return
        StepRun.objects.filter(pk=step.pk, worker=token, status=StepStatus.RUNNING).update(
            status=status, exit_code=outcome.exit_code, error=error[:4000], finished_at=timezone.now()
        )
        advance_after_commit(step.run_id)


# --------------------------------------------------------------------------- abort and recovery


def run_request_abort(*, run_id: int) -> bool:
    """Marks the run aborting and aborts what has not started. False if it had already finished.

    Running steps are stopped by the worker that runs them (it checks once a
    second); steps whose worker is gone are stopped by `run_abort_orphans`.
    """
    with transaction.atomic():
        marked = Run.objects.filter(pk=run_id, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).update(
            abort_requested=True
        )
        if not marked:
            return False
        StepRun.objects.filter(run_id=run_id, status__in=[StepStatus.PENDING, StepStatus.QUEUED]).update(
            status=StepStatus.ABORTED, finished_at=timezone.now(), error="run aborted"
        )
        enqueue_advance(run_id)
        _enqueue("runs.abort_orphans", run_id, countdown=heartbeat_seconds() + 2)
    return True


def run_abort_orphans(*, run_id: int, launcher: Launcher | None = None) -> None:
    """Stops containers of an aborting run whose steps have no live worker, then closes the run."""
    launcher = launcher or _default_launcher()
    stale = timezone.now() - timedelta(seconds=heartbeat_seconds() * 2 + 1)
    for step in StepRun.objects.filter(run_id=run_id, status=StepStatus.RUNNING, heartbeat_at__lt=stale):
        if step.container_name:
            launcher.stop(step.container_name, abort_grace_seconds())
            launcher.remove(step.container_name)
        StepRun.objects.filter(pk=step.pk, status=StepStatus.RUNNING, heartbeat_at__lt=stale).update(
            status=StepStatus.ABORTED, finished_at=timezone.now(), error="run aborted"
        )
    for state in launcher.list({"studio.run": str(run_id), "studio.installation": installation_id()}):
        launcher.remove(state.name)
    run_advance(run_id=run_id)


def runs_reconcile(*, launcher: Launcher | None = None) -> dict[str, int]:
    """Repairs what dead workers and lost messages left behind. Runs periodically (beat)."""
    now = timezone.now()
    counts = {"taken_over": 0, "requeued": 0, "advanced": 0}
    stale = now - timedelta(seconds=stale_seconds())
    for step_id in StepRun.objects.filter(status=StepStatus.RUNNING, heartbeat_at__lt=stale).values_list("pk", flat=True):
        enqueue_execute(step_id)
        counts["taken_over"] += 1
    lost = now - timedelta(seconds=_setting("STUDIO_QUEUED_LOST_SECONDS", 900))
    for step_id in StepRun.objects.filter(status=StepStatus.QUEUED, queued_at__lt=lost).values_list("pk", flat=True):
        StepRun.objects.filter(pk=step_id, status=StepStatus.QUEUED).update(queued_at=now)
        enqueue_execute(step_id)
        counts["requeued"] += 1
    # Runs that made no progress for a while with nothing queued or running: their advance
    # was lost. Progress is the newest step end, not the run's age, so a long backlog of
    # healthy runs is not re-sent (that amplified a 1,000-run burst into a collapse). A run
    # none of whose steps has ended waits for its first advance, which may sit behind a long
    # queue (a burst of runs created at once): it counts as lost only as late as a queued step.
    quiet = now - timedelta(seconds=max(60.0, 2 * stale_seconds()))
    candidates = (
        Run.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING], created_at__lt=quiet)
        .filter(~Q(steps__status__in=[StepStatus.RUNNING, StepStatus.QUEUED]))
        .annotate(last_progress=Max("steps__finished_at"))
        .filter(Q(last_progress__isnull=True, created_at__lt=lost) | Q(last_progress__lt=quiet))
        .order_by("created_at")
    )
    for run_id in candidates.values_list("pk", flat=True).distinct()[:200]:
        enqueue_advance(run_id)
        counts["advanced"] += 1
    counts["standbys_removed"] = _sweep_standbys(launcher)
    return counts


def _sweep_standbys(launcher: Launcher | None) -> int:
    """Removes standby containers nobody will release: their step finished, was never claimed and
    will not be, or is gone (a deleted run). A released standby belongs to its step's worker."""
    try:
        launcher = launcher or _default_launcher()
        found = launcher.list({STANDBY_LABEL: "1", "studio.installation": installation_id()})
    except Exception:  # noqa: BLE001 - no engine answering is the health check's business
        logger.warning("standby sweep: cannot list containers", exc_info=True)
        return 0
    by_step = {int(c.labels["studio.step-id"]): c.name for c in found if c.labels.get("studio.step-id", "").isdigit()}
    live = set(
        StepRun.objects.filter(pk__in=by_step)
        .filter(Q(status__in=[StepStatus.PENDING, StepStatus.QUEUED, StepStatus.RUNNING]))
        .values_list("pk", flat=True)
    )
    removed = 0
    for step_id, name in by_step.items():
        if step_id not in live:
            launcher.remove(name)
            removed += 1
    return removed
