"""Reads of pipelines and their versions, shaped for the API without N+1 queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from catalog.models import ComponentVersion
from pipelines import graph as graph_lib
from pipelines.models import Pipeline, PipelineVersion
from studio.errors import NotFound, Problem


def _with_latest_version(queryset: QuerySet[Pipeline]) -> QuerySet[Pipeline]:
    """Annotate version_count and prefetch the newest version (with its author) in one query per page."""
    newest_number = (
        PipelineVersion.objects.filter(pipeline=OuterRef("pipeline")).order_by("-number").values("number")[:1]
    )
    latest = PipelineVersion.objects.filter(number=Subquery(newest_number)).select_related("author")
    return queryset.annotate(version_count=Count("versions")).prefetch_related(
        Prefetch("versions", queryset=latest, to_attr="prefetched_latest_versions")
    )


def pipeline_list() -> QuerySet[Pipeline]:
    """All pipelines by name; the API narrows it with `?search=` (api.PipelineFilter)."""
    return _with_latest_version(Pipeline.objects.all()).order_by("name", "id")


def pipeline_get(*, pipeline_id: int) -> Pipeline:
    pipeline = _with_latest_version(Pipeline.objects.filter(pk=pipeline_id)).first()
    if pipeline is None:
        raise _pipeline_not_found(pipeline_id)
    return pipeline


def pipeline_version_list(*, pipeline_id: int) -> QuerySet[PipelineVersion]:
    """Versions of a pipeline, newest first. Raises NotFound for an unknown pipeline (not an empty list)."""
    if not Pipeline.objects.filter(pk=pipeline_id).exists():
        raise _pipeline_not_found(pipeline_id)
    return PipelineVersion.objects.filter(pipeline_id=pipeline_id).select_related("author").order_by("-number")


def pipeline_version_get(*, pipeline_id: int, number: int | None = None) -> PipelineVersion:
    """Version `number` of a pipeline, or its newest version when number is None (what a run starts from)."""
    versions = PipelineVersion.objects.filter(pipeline_id=pipeline_id).select_related("author", "pipeline")
    version = versions.order_by("-number").first() if number is None else versions.filter(number=number).first()
    if version is None:
        if not Pipeline.objects.filter(pk=pipeline_id).exists():
            raise _pipeline_not_found(pipeline_id)
        message = f"Pipeline {pipeline_id} has no version {number}." if number is not None else f"Pipeline {pipeline_id} has no versions."
        raise NotFound(message, [Problem(code="not_found", message=message, field="version")])
    return version


def component_versions_for_graph(graph: Any) -> dict[int, ComponentVersion]:
    """The ComponentVersions a graph document references, by id, in one query."""
    ids = graph_lib.component_version_ids(graph)
    return ComponentVersion.objects.in_bulk(list(ids)) if ids else {}


def _pipeline_not_found(pipeline_id: int) -> NotFound:
    message = f"Pipeline {pipeline_id} does not exist."
    return NotFound(message, [Problem(code="not_found", message=message)])
