"""Reads of schedules and triggers, shaped for the API without N+1 queries."""

from __future__ import annotations

from django.db.models import QuerySet

from studio.errors import NotFound, Problem
from triggers.models import DatasetTrigger, MetricTrigger, Schedule


def _not_found(what: str, pk: int) -> NotFound:
    message = f"{what} {pk} does not exist."
    return NotFound(message, [Problem("not_found", message)])


def schedule_list(*, pipeline_id: int | None = None) -> QuerySet[Schedule]:
    queryset = Schedule.objects.select_related("pipeline", "pipeline_version", "created_by").order_by("id")
    return queryset.filter(pipeline_id=pipeline_id) if pipeline_id is not None else queryset


def schedule_get(*, schedule_id: int) -> Schedule:
    schedule = schedule_list().filter(pk=schedule_id).first()
    if schedule is None:
        raise _not_found("Schedule", schedule_id)
    return schedule


def dataset_trigger_list(*, pipeline_id: int | None = None, dataset_id: int | None = None) -> QuerySet[DatasetTrigger]:
    queryset = DatasetTrigger.objects.select_related("pipeline", "dataset", "created_by").order_by("id")
    if pipeline_id is not None:
        queryset = queryset.filter(pipeline_id=pipeline_id)
    if dataset_id is not None:
        queryset = queryset.filter(dataset_id=dataset_id)
    return queryset


def dataset_trigger_get(*, trigger_id: int) -> DatasetTrigger:
    trigger = dataset_trigger_list().filter(pk=trigger_id).first()
    if trigger is None:
        raise _not_found("Dataset trigger", trigger_id)
    return trigger


def metric_trigger_list(*, source_pipeline_id: int | None = None, target_pipeline_id: int | None = None) -> QuerySet[MetricTrigger]:
    queryset = MetricTrigger.objects.select_related("source_pipeline", "target_pipeline", "created_by").order_by("id")
    if source_pipeline_id is not None:
        queryset = queryset.filter(source_pipeline_id=source_pipeline_id)
    if target_pipeline_id is not None:
        queryset = queryset.filter(target_pipeline_id=target_pipeline_id)
    return queryset


def metric_trigger_get(*, trigger_id: int) -> MetricTrigger:
    trigger = metric_trigger_list().filter(pk=trigger_id).first()
    if trigger is None:
        raise _not_found("Metric trigger", trigger_id)
    return trigger
