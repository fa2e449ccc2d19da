from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from runs.models import Artifact, Run, StepRun


def run_list() -> QuerySet[Run]:
    # The list shows the version number, never the graph: don't load a document per run.
    return (
        Run.objects.select_related("pipeline", "pipeline_version")
        .defer("pipeline_version__graph", "pipeline_version__parameters", "pipeline__description")
        .prefetch_related(Prefetch("steps", queryset=StepRun.objects.only("id", "run_id", "status")))
    )


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
