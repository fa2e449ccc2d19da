"""Starting, aborting and retrying runs. The engine itself is in runs/engine.py."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog import types as ctypes
from catalog.models import ComponentVersion
from datasets import services as dataset_services
from pipelines import graph as graph_lib
from pipelines.models import Pipeline, PipelineVersion
from runs import engine
from runs.models import STEP_SUCCEEDED, Run, RunStatus, StepRun, StepStatus, TriggerKind
from studio.errors import Conflict, InvalidInput, NotFound, Problem, StudioError

# Re-exported: the engine's entry points are services too.
run_advance = engine.run_advance
step_execute = engine.step_execute
runs_reconcile = engine.runs_reconcile
run_abort_orphans = engine.run_abort_orphans


def resolve_parameters(declared: list[dict[str, Any]], given: dict[str, Any] | None) -> dict[str, Any]:
    """Pipeline parameter values for a run: given values checked against their types, defaults filled in."""
    given = dict(given or {})
    if not isinstance(given, dict):
        raise InvalidInput("parameters must be an object", [Problem("invalid", "parameters must be an object", field="parameters")])
    problems: list[Problem] = []
    resolved: dict[str, Any] = {}
    names = {p["name"] for p in declared}
    for name in sorted(set(given) - names):
        problems.append(
            Problem("unknown_parameter", f"the pipeline has no parameter '{name}'", field=f"parameters.{name}")
        )
    for param in declared:
        name, type_ = param["name"], param.get("type")
        if name in given:
            value = given[name]
        elif param.get("default") is not None:
            value = param["default"]
        else:
            problems.append(Problem("missing_parameter", f"parameter '{name}' is required", field=f"parameters.{name}"))
            continue
        try:
            resolved[name] = ctypes.coerce_value(type_, value)
        except ValueError as exc:
            problems.append(Problem("parameter_type", f"parameter '{name}' ({type_}): {exc}", field=f"parameters.{name}"))
    if problems:
        raise InvalidInput(f"Cannot start the run: {problems[0].message}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), problems)
    return resolved


@dataclass(frozen=True)
class RunInput:
    """What a run starts from, checked: the version, resolved parameters, its component versions and
    the dataset versions pinned now. Made by `run_input_resolve`; one can start many runs."""

    pipeline: Pipeline
    version: PipelineVersion
    parameters: dict[str, Any]
    components: dict[int, ComponentVersion]
    dataset_inputs: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class RunInputRequest:
    """The arguments of `run_input_resolve`, for resolving many at once (`run_inputs_resolve`)."""

    pipeline: Pipeline
    parameters: dict[str, Any] | None = None
    version: PipelineVersion | int | None = None
    dataset_pins: Mapping[str, Mapping[str, int]] | None = None


@dataclass(frozen=True)
class NewRun:
    """One run for `run_create_many`: its checked input and why it starts."""

    input: RunInput
    trigger_kind: str = TriggerKind.MANUAL
    trigger: dict[str, Any] | None = None
    user: Any = None
    retry_of: Run | None = None
    reuse: Mapping[str, StepRun] | None = None


def run_input_resolve(
    *,
    pipeline: Pipeline,
    parameters: dict[str, Any] | None = None,
    version: PipelineVersion | int | None = None,
    dataset_pins: Mapping[str, Mapping[str, int]] | None = None,
) -> RunInput:
    """Checks what a run would start from (StudioError naming the problem if it cannot start).

    `version` is a version, its number, or None for the newest. Dataset bindings are
    pinned now (a "latest" binding reads the newest version); `dataset_pins`
    ({node: {input: DatasetVersion id}}) binds given versions instead, whatever the
    graph binds there (dataset triggers, retries).
    """
    if version is None:
        version = pipeline.versions.order_by("-number").first()
        if version is None:
            raise InvalidInput("The pipeline has no saved version.", [Problem("no_version", "save the pipeline first", field="version")])
    elif isinstance(version, int):
        found = pipeline.versions.filter(number=version).first()
        if found is None:
            raise NotFound(f"Pipeline '{pipeline.name}' has no version {version}.", [Problem("not_found", f"no version {version}", field="version")])
        version = found
    values = resolve_parameters(version.parameters or [], parameters)
    nodes = version.graph.get("nodes") or []
    ids = {n.get("component_version") for n in nodes}
    components = {cv.pk: cv for cv in ComponentVersion.objects.filter(pk__in=ids)}
    problems = []
    for node in nodes:
        cv = components.get(node.get("component_version"))
        if cv is None:
            problems.append(Problem("unknown_component_version", f"node '{node.get('id')}': component version {node.get('component_version')} does not exist", node=node.get("id")))
        elif not cv.runnable:
            problems.append(Problem("not_runnable", f"node '{node['id']}': {cv.component.name} has a graph implementation, which cannot run yet", node=node["id"]))
    if problems:
        raise InvalidInput(f"Cannot start the run: {problems[0].message}", problems)
    dataset_inputs = dataset_services.run_dataset_inputs(graph=version.graph, pins=dataset_pins)
    return RunInput(pipeline=pipeline, version=version, parameters=values, components=components, dataset_inputs=dataset_inputs)


def run_inputs_resolve(*, requests: Sequence[RunInputRequest]) -> list[RunInput | StudioError]:
    """`run_input_resolve` for each request, in order, but once per distinct request: a thousand
    schedules of one pipeline with the same parameters cost one resolution. A request that
    cannot start gets its StudioError in its place."""
    resolved: dict[str, RunInput | StudioError] = {}
    results: list[RunInput | StudioError] = []
    for request in requests:
        version = request.version
        if isinstance(version, PipelineVersion):
            which: list[Any] = ["id", version.pk]
        else:
            which = ["newest"] if version is None else ["number", version]
        key = json.dumps([request.pipeline.pk, which, request.parameters, request.dataset_pins], sort_keys=True, default=str)
        if key not in resolved:
            try:
                resolved[key] = run_input_resolve(
                    pipeline=request.pipeline, parameters=request.parameters, version=version, dataset_pins=request.dataset_pins,
                )
            except StudioError as exc:
                resolved[key] = exc
        results.append(resolved[key])
    return results


def run_create_many(*, runs: Sequence[NewRun], enqueue: bool = True) -> list[Run]:
    """Creates pending runs with their steps, in order, in one transaction and a handful of
    statements whatever their number; each run is enqueued after the commit. With
    `enqueue=False` the caller enqueues them (`runs_enqueue`) once it has created all it
    means to, so a burst of runs is written before workers start on the first ones.
    `reuse` maps node ids to finished steps to reuse."""
    if not runs:
        return []
    rows: list[Run] = []
    for new in runs:
        trigger_details = dict(new.trigger or {})
        authenticated = new.user is not None and getattr(new.user, "is_authenticated", False)
        if authenticated:
            trigger_details.setdefault("user", new.user.get_username())
        rows.append(
            Run(
                pipeline=new.input.pipeline,
                pipeline_version=new.input.version,
                # Runs of one input get their own copies: a change to one run's must not show in another's.
                parameters=copy.deepcopy(new.input.parameters),
                trigger_kind=new.trigger_kind,
                trigger=trigger_details,
                dataset_inputs=copy.deepcopy(new.input.dataset_inputs),
                created_by=new.user if authenticated else None,
                retry_of=new.retry_of,
            )
        )
    with transaction.atomic():
        created = Run.objects.bulk_create(rows)  # created_at is stamped as the rows are inserted
        dataset_services.run_dataset_usages_record(runs=created)
        steps = []
        for run, new in zip(created, runs, strict=True):
            for node in new.input.version.graph.get("nodes") or []:
                reused = (new.reuse or {}).get(node["id"])
                steps.append(
                    StepRun(
                        run=run,
                        node_id=node["id"],
                        component_version=new.input.components[node["component_version"]],
                        max_attempts=1 + int(node.get("retries") or 0),
                        timeout_seconds=node.get("timeout_seconds") or None,
                        status=StepStatus.CACHED if reused else StepStatus.PENDING,
                        cached_from_id=(reused.cached_from_id or reused.pk) if reused else None,
                        inputs=reused.inputs if reused else {},
                        finished_at=timezone.now() if reused else None,
                    )
                )
        StepRun.objects.bulk_create(steps)
        if enqueue:
            runs_enqueue(run_ids=[run.pk for run in created])
    return created


def runs_enqueue(*, run_ids: Sequence[int]) -> None:
    """Hands new runs to the engine: their first advance is sent after the commit (at once outside a transaction)."""
    for run_id in run_ids:
        engine.enqueue_advance(run_id)


def run_create(
    *,
    pipeline: Pipeline,
    parameters: dict[str, Any] | None = None,
    version: PipelineVersion | int | None = None,
    trigger_kind: str = TriggerKind.MANUAL,
    trigger: dict[str, Any] | None = None,
    user: Any = None,
    retry_of: Run | None = None,
    reuse: dict[str, StepRun] | None = None,
    dataset_pins: Mapping[str, Mapping[str, int]] | None = None,
) -> Run:
    """Creates a pending run with its steps and enqueues it. `reuse` maps node ids to finished steps to reuse.

    Dataset bindings are pinned now (a "latest" binding reads the newest version at
    creation); `dataset_pins` ({node: {input: DatasetVersion id}}) binds given versions
    instead, whatever the graph binds there (dataset triggers, retries).
    """
    checked = run_input_resolve(pipeline=pipeline, parameters=parameters, version=version, dataset_pins=dataset_pins)
    new = NewRun(input=checked, trigger_kind=trigger_kind, trigger=trigger, user=user, retry_of=retry_of, reuse=reuse)
    return run_create_many(runs=[new])[0]


def run_abort(*, run: Run) -> Run:
    if not engine.run_request_abort(run_id=run.pk):
        run.refresh_from_db()
        raise Conflict(f"Run {run.pk} already finished ({run.status}); nothing to abort.", [Problem("run_finished", f"the run is {run.status}")])
    run.refresh_from_db()
    return run


def run_retry(*, run: Run, user: Any = None) -> Run:
    """A new run of the same version and parameters that reuses every step that completed
    with all of its upstreams reused, and re-executes the rest."""
    if run.status not in (RunStatus.FAILED, RunStatus.ABORTED):
        raise Conflict(f"Only a failed or aborted run can be retried; run {run.pk} is {run.status}.", [Problem("run_not_failed", f"the run is {run.status}")])
    steps = {s.node_id: s for s in run.steps.all()}
    reuse: dict[str, StepRun] = {}
    upstream = graph_lib.dependencies(run.pipeline_version.graph)
    for node_id in graph_lib.topological_order(run.pipeline_version.graph):
        step = steps.get(node_id)
        if step and step.status in STEP_SUCCEEDED and all(u in reuse for u in upstream[node_id]):
            reuse[node_id] = step
    return run_create(
        pipeline=run.pipeline,
        version=run.pipeline_version,
        parameters=run.parameters,
        trigger_kind=TriggerKind.RETRY,
        trigger={"source_run": run.pk},
        user=user,
        retry_of=run,
        reuse=reuse,
        # The retry reads the same dataset versions, not whatever is newest now.
        dataset_pins={
            node_id: {name: pinned["dataset_version"] for name, pinned in inputs.items()}
            for node_id, inputs in (run.dataset_inputs or {}).items()
        },
    )
