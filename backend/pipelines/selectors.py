"""Reads of pipelines and their versions, shaped for the API without N+1 queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery

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


def pipeline_list() -> QuerySet[Pipeline, dict[str, Any]]:
    """All pipelines by name, as `.values()` rows with version_count; the API narrows it with `?search=`
    (api.PipelineFilter) and adds each page's newest version with pipeline_latest_versions."""
    return (
        Pipeline.objects.annotate(version_count=Count("versions"))
        .values("id", "name", "description", "version_count", "created_at", "updated_at")
        .order_by("name", "id")
    )


class _NodeCount(Func):
    """How many nodes a graph document has, counted by the database: a list never loads a graph."""

    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        nodes = f"({sql} -> 'nodes')"
        return f"(CASE WHEN jsonb_typeof({nodes}) = 'array' THEN jsonb_array_length({nodes}) ELSE 0 END)", [*params, *params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # SQLite
        sql, params = compiler.compile(self.source_expressions[0])
        return f"COALESCE(json_array_length({sql}, '$.nodes'), 0)", list(params)


def pipeline_latest_versions(*, pipeline_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{pipeline id: its newest version as {id, number, node_count, message, author_name, created_at}}, one query.

    Pipelines without versions are absent. The graph stays in the database: only its node count is read.
    """
    newest_number = (
        PipelineVersion.objects.filter(pipeline=OuterRef("pipeline")).order_by("-number").values("number")[:1]
    )
    rows = (
        PipelineVersion.objects.filter(pipeline_id__in=pipeline_ids, number=Subquery(newest_number))
        .order_by()
        .values("id", "pipeline_id", "number", "message", "created_at",
                author_name=F("author__username"), node_count=_NodeCount("graph"))
    )
    return {row["pipeline_id"]: row for row in rows}


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
