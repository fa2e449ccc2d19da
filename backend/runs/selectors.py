from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet

from runs.models import Artifact, Run, StepRun, StepStatus


def run_list() -> QuerySet[Run]:
    """Runs, newest first; the API filters and counts this, and pages run_rows of it."""
    return Run.objects.all()


def run_rows(runs: QuerySet[Run]) -> QuerySet[Run, dict[str, Any]]:
    """`.values()` rows of these runs for the list: the pipeline's name and the version's number come
    from joins in the same query; no graph document and no StepRun objects are loaded
    (run_step_counts counts a page's steps in one query)."""
    return runs.values(
        "id", "pipeline_id", "pipeline_version_id", "status", "trigger_kind", "trigger", "parameters",
        "dataset_inputs", "error", "retry_of_id", "created_at", "started_at", "finished_at",
        pipeline_name=F("pipeline__name"), version_number=F("pipeline_version__number"),
    )


_STEP_STATUS_ORDER = {status: i for i, status in enumerate(StepStatus.values)}


def run_step_counts(*, run_ids: list[int]) -> dict[int, dict[str, int]]:
    """{run id: {step status: count}} for these runs, counted by the database in one query.

    Only statuses that occur are present, in the order of StepStatus
    (pending ... completed, failed, aborted, skipped, cached).
    """
    rows = (
        StepRun.objects.filter(run_id__in=run_ids).order_by().values_list("run_id", "status").annotate(count=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for run_id, status, count in sorted(rows, key=lambda row: (row[0], _STEP_STATUS_ORDER.get(row[1], 99))):
        counts.setdefault(run_id, {})[status] = count
    return counts


def run_detail() -> QuerySet[Run]:
    """A run with its steps, their components and outputs, in a fixed number of queries."""
    outputs = Prefetch("outputs", queryset=Artifact.objects.order_by("id"))
    return Run.objects.select_related("pipeline", "pipeline_version").prefetch_related(
        Prefetch(
            "steps",
            queryset=StepRun.objects.select_related("component_version__component", "cached_from")
            .prefetch_related(outputs, Prefetch("cached_from__outputs", queryset=Artifact.objects.order_by("id")))
            .order_by("id"),
        )
    )


def step_outputs(step: StepRun) -> list[Artifact]:
    """Outputs of a step; a cached step shows the outputs it reused."""
    if step.cached_from_id:
        return list(step.cached_from.outputs.all())  # type: ignore[union-attr]
    return list(step.outputs.all())
