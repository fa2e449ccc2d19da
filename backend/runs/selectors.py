from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from runs.models import Artifact, Run, StepRun


def run_list() -> QuerySet[Run]:
    return Run.objects.select_related("pipeline", "pipeline_version").prefetch_related(
        Prefetch("steps", queryset=StepRun.objects.only("id", "run_id", "status"))
    )


def run_detail() -> QuerySet[Run]:
    return Run.objects.select_related("pipeline", "pipeline_version").prefetch_related(
        Prefetch(
            "steps",
            queryset=StepRun.objects.prefetch_related(
                Prefetch("outputs", queryset=Artifact.objects.order_by("id"))
            ).order_by("id"),
        )
    )


def step_outputs(step: StepRun) -> list[Artifact]:
    """Outputs of a step; a cached step shows the outputs it reused."""
    if step.cached_from_id:
        return list(Artifact.objects.filter(step_id=step.cached_from_id).order_by("id"))
    return list(step.outputs.all())
