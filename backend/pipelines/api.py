"""HTTP for pipelines: serializers translate JSON, views call selectors/services (no rules here)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from pipelines import graph as graph_lib
from pipelines import selectors, services
from pipelines.models import Pipeline, PipelineVersion
from studio.rows import datetime_formatter
from studio.schema import ErrorProblemSerializer, ErrorResponseSerializer

# ---------------------------------------------------------------------------
# OpenAPI shapes of the graph document. The server checks documents with
# pipelines.graph.validate (which reports problems by node and port), so these
# schemas describe the format for clients; they do not validate requests.

_BINDING_SCHEMA = {
    "oneOf": [
        {"type": "object", "properties": {"value": {}}, "required": ["value"], "additionalProperties": False},
        {"type": "object", "properties": {"parameter": {"type": "string"}}, "required": ["parameter"], "additionalProperties": False},
        {
            "type": "object",
            "properties": {
                "from": {
                    "type": "object",
                    "properties": {"node": {"type": "string"}, "output": {"type": "string"}},
                    "required": ["node", "output"],
                    "additionalProperties": False,
                }
            },
            "required": ["from"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "A version of a dataset: pinned by number, or the newest one (pinned when the run starts).",
            "properties": {
                "dataset": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "version": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["latest"]}]},
                    },
                    "required": ["id"],
                    "additionalProperties": False,
                }
            },
            "required": ["dataset"],
            "additionalProperties": False,
        },
    ]
}

GRAPH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A pipeline graph document (docs/api.md). Older schema versions are migrated; newer ones are refused.",
    "properties": {
        "schema_version": {"type": "integer", "example": graph_lib.CURRENT_SCHEMA_VERSION},
        "nodes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "pattern": graph_lib.NODE_ID_RE.pattern},
                    "component_version": {"type": "integer"},
                    "label": {"type": "string"},
                    "position": {
                        "type": "object",
                        "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                        "required": ["x", "y"],
                    },
                    "arguments": {"type": "object", "additionalProperties": _BINDING_SCHEMA},
                    "resources": {
                        "type": "object",
                        "properties": {
                            "cpu": {"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True},
                            "memory": {"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True},
                            "gpu": {"type": "integer", "nullable": True},
                        },
                    },
                    "retries": {"type": "integer", "minimum": 0, "maximum": graph_lib.MAX_RETRIES},
                    "timeout_seconds": {"type": "integer", "minimum": 1},
                    "publish": {
                        "type": "array",
                        "description": "Outputs saved as a new version of a dataset (created if missing) when the step completes.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "output": {"type": "string"},
                                "dataset": {"type": "string", "description": "dataset name"},
                                "kind": {"type": "string", "enum": ["dataset", "model"]},
                            },
                            "required": ["output", "dataset"],
                            "additionalProperties": False,
                        },
                    },
                },
                "required": ["id", "component_version", "position"],
            },
        },
    },
    "required": ["schema_version", "nodes"],
}

PARAMETERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string", "enum": sorted(graph_lib.VALUE_TYPES)},
            "default": {"nullable": True},
            "description": {"type": "string"},
        },
        "required": ["name", "type"],
    },
}


@extend_schema_field(GRAPH_SCHEMA)
class GraphField(serializers.JSONField):
    pass


@extend_schema_field(PARAMETERS_SCHEMA)
class ParametersField(serializers.JSONField):
    pass


# ---------------------------------------------------------------------------
# Serializers. Class names start with "Pipeline" so the OpenAPI component
# names cannot collide with other apps' (a collision is a schema warning).


class PipelineVersionSerializer(serializers.ModelSerializer):
    graph = GraphField(read_only=True)
    parameters = ParametersField(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)

    class Meta:
        model = PipelineVersion
        fields = ["id", "pipeline", "number", "graph", "parameters", "message", "author", "created_at"]
        read_only_fields = fields


class PipelineSerializer(serializers.ModelSerializer):
    latest_version = PipelineVersionSerializer(read_only=True, allow_null=True)
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "description", "latest_version", "version_count", "created_at", "updated_at"]
        read_only_fields = fields


class PipelineVersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    node_count = serializers.IntegerField(read_only=True, help_text="Nodes in the version's graph.")
    message = serializers.CharField(read_only=True)
    author = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


# Describes the list's items for the schema; _pipeline_summaries builds them from `.values()` rows
# (tests check that both agree).
class PipelineSummarySerializer(serializers.Serializer):
    """A list item: the newest version summarised, without its graph (GET /api/pipelines/{id}/ has it)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    latest_version = PipelineVersionSummarySerializer(read_only=True, allow_null=True)
    version_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PipelineWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=20_000)
    graph = GraphField()
    parameters = ParametersField(required=False, default=list)
    message = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class PipelineValidateRequestSerializer(serializers.Serializer):
    # null is allowed so that it comes back as an invalid_document problem
    # (200) like any other bad document, rather than as a request error.
    graph = GraphField(allow_null=True)
    parameters = ParametersField(required=False, default=list, allow_null=True)


class PipelineValidateResponseSerializer(serializers.Serializer):
    problems = ErrorProblemSerializer(many=True)


class PipelineFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label="Part of the pipeline name (case-insensitive).")

    class Meta:
        model = Pipeline
        fields = ["search"]

    def filter_search(self, queryset: QuerySet[Pipeline], name: str, value: str) -> QuerySet[Pipeline]:
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset


_ERRORS = {
    400: OpenApiResponse(ErrorResponseSerializer, description="Invalid input; `problems` name the node, port or field."),
    403: OpenApiResponse(ErrorResponseSerializer, description="Not signed in."),
}
_NOT_FOUND = {404: OpenApiResponse(ErrorResponseSerializer, description="No such pipeline or version.")}


# ---------------------------------------------------------------------------
# Views


class PipelineListView(generics.GenericAPIView):
    serializer_class = PipelineSerializer
    filterset_class = PipelineFilter

    def get_queryset(self) -> QuerySet[Pipeline]:
        return selectors.pipeline_list()

    @extend_schema(operation_id="pipelines_list", responses={200: PipelineSummarySerializer(many=True), 403: _ERRORS[403]})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(_pipeline_summaries(page))

    @extend_schema(operation_id="pipelines_create", request=PipelineWriteSerializer, responses={201: PipelineSerializer, **_ERRORS})
    def post(self, request: Request) -> Response:
        data = _validated(PipelineWriteSerializer, request.data)
        pipeline = services.pipeline_create(user=request.user, **data)
        return Response(PipelineSerializer(selectors.pipeline_get(pipeline_id=pipeline.pk)).data, status=status.HTTP_201_CREATED)


class PipelineDetailView(generics.GenericAPIView):
    serializer_class = PipelineSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Pipeline]:
        return Pipeline.objects.none()  # for the schema; the handlers ask the selector

    @extend_schema(operation_id="pipelines_retrieve", responses={200: PipelineSerializer, 403: _ERRORS[403], **_NOT_FOUND})
    def get(self, request: Request, pipeline_id: int) -> Response:
        return Response(PipelineSerializer(selectors.pipeline_get(pipeline_id=pipeline_id)).data)

    @extend_schema(
        operation_id="pipelines_update",
        description="Save the pipeline. A new version is created only when the graph or parameters changed.",
        request=PipelineWriteSerializer,
        responses={200: PipelineSerializer, **_ERRORS, **_NOT_FOUND},
    )
    def put(self, request: Request, pipeline_id: int) -> Response:
        return self._save(request, pipeline_id, partial=False)

    @extend_schema(
        operation_id="pipelines_partial_update",
        description="Like PUT; fields left out keep their current value (graph and parameters: the latest version's).",
        request=PipelineWriteSerializer(partial=True),
        responses={200: PipelineSerializer, **_ERRORS, **_NOT_FOUND},
    )
    def patch(self, request: Request, pipeline_id: int) -> Response:
        return self._save(request, pipeline_id, partial=True)

    @extend_schema(operation_id="pipelines_destroy", responses={204: None, 403: _ERRORS[403], **_NOT_FOUND, 409: OpenApiResponse(ErrorResponseSerializer, description="The pipeline has unfinished runs.")})
    def delete(self, request: Request, pipeline_id: int) -> Response:
        services.pipeline_delete(pipeline=selectors.pipeline_get(pipeline_id=pipeline_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _save(self, request: Request, pipeline_id: int, *, partial: bool) -> Response:
        pipeline = selectors.pipeline_get(pipeline_id=pipeline_id)
        data = _validated(PipelineWriteSerializer, request.data, partial=partial)
        if partial:
            latest = pipeline.latest_version
            data = {
                "name": pipeline.name,
                "description": pipeline.description,
                "graph": latest.graph if latest else {"schema_version": graph_lib.CURRENT_SCHEMA_VERSION, "nodes": []},
                "parameters": latest.parameters if latest else [],
                "message": "",
                **data,
            }
        services.pipeline_update(pipeline=pipeline, user=request.user, **data)
        return Response(PipelineSerializer(selectors.pipeline_get(pipeline_id=pipeline_id)).data)


class PipelineVersionListView(generics.GenericAPIView):
    serializer_class = PipelineVersionSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[PipelineVersion]:
        return PipelineVersion.objects.none()  # for the schema; get() asks the selector

    @extend_schema(operation_id="pipelines_versions_list", responses={200: PipelineVersionSerializer(many=True), 403: _ERRORS[403], **_NOT_FOUND})
    def get(self, request: Request, pipeline_id: int) -> Response:
        page = self.paginate_queryset(selectors.pipeline_version_list(pipeline_id=pipeline_id))
        return self.get_paginated_response(PipelineVersionSerializer(page, many=True).data)


class PipelineVersionDetailView(generics.GenericAPIView):
    serializer_class = PipelineVersionSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[PipelineVersion]:
        return PipelineVersion.objects.none()

    @extend_schema(operation_id="pipelines_versions_retrieve", responses={200: PipelineVersionSerializer, 403: _ERRORS[403], **_NOT_FOUND})
    def get(self, request: Request, pipeline_id: int, number: int) -> Response:
        return Response(PipelineVersionSerializer(selectors.pipeline_version_get(pipeline_id=pipeline_id, number=number)).data)


class PipelineValidateView(generics.GenericAPIView):
    serializer_class = PipelineValidateRequestSerializer
    filter_backends: list[type] = []

    @extend_schema(
        operation_id="pipelines_validate",
        description="Check a graph and its parameters without saving. Always 200 with the list of problems (empty when valid).",
        request=PipelineValidateRequestSerializer,
        responses={200: PipelineValidateResponseSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _validated(PipelineValidateRequestSerializer, request.data)
        problems = services.pipeline_validate(graph=data["graph"], parameters=data["parameters"])
        return Response({"problems": [problem.as_dict() for problem in problems]})


def _pipeline_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """PipelineSummarySerializer's output for selectors.pipeline_list rows."""
    latest = selectors.pipeline_latest_versions(pipeline_ids=[row["id"] for row in rows])
    iso = datetime_formatter()
    items = []
    for row in rows:
        version = latest.get(row["id"])
        items.append({
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "latest_version": None if version is None else {
                "id": version["id"],
                "number": version["number"],
                "node_count": version["node_count"],
                "message": version["message"],
                "author": version["author_name"],
                "created_at": iso(version["created_at"]),
            },
            "version_count": row["version_count"],
            "created_at": iso(row["created_at"]),
            "updated_at": iso(row["updated_at"]),
        })
    return items


def _validated(serializer_class: type[serializers.Serializer], data: Any, *, partial: bool = False) -> dict[str, Any]:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
