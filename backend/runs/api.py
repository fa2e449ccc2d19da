"""HTTP for runs, steps' logs and artifacts. Views validate, call a service, serialize."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets import store
from pipelines.models import Pipeline
from runs import engine, selectors, services
from runs.models import STEP_TERMINAL, Artifact, Run, RunStatus, StepRun, StepStatus, TriggerKind
from studio.rows import PagedRows, datetime_formatter


class ArtifactSerializer(serializers.ModelSerializer):
    preview = serializers.JSONField(read_only=True)

    class Meta:
        model = Artifact
        fields = ["id", "name", "type", "media_type", "size", "sha256", "preview", "run", "step", "created_at"]


class StepRunSerializer(serializers.ModelSerializer):
    outputs = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    component_name = serializers.CharField(source="component_version.component.name", read_only=True)
    inputs = serializers.JSONField(read_only=True)

    class Meta:
        model = StepRun
        fields = [
            "id", "node_id", "component_version", "component_name", "status", "attempt", "max_attempts",
            "exit_code", "error", "queued_at", "started_at", "launched_at", "finished_at", "duration_seconds",
            "peak_memory_bytes", "cpu_seconds", "log_size", "inputs", "outputs", "cached_from", "standby",
        ]

    @extend_schema_field(ArtifactSerializer(many=True))
    def get_outputs(self, step: StepRun) -> list[dict[str, Any]]:
        return ArtifactSerializer(selectors.step_outputs(step), many=True).data  # type: ignore[return-value]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_duration_seconds(self, step: StepRun) -> float | None:
        return _duration(step.started_at, step.finished_at)


def _duration(start: Any, end: Any) -> float | None:
    return (end - start).total_seconds() if start and end else None


class RunSummarySerializer(serializers.ModelSerializer):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    version_number = serializers.IntegerField(source="pipeline_version.number", read_only=True)
    trigger = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    step_counts = serializers.SerializerMethodField()
    parameters = serializers.JSONField(read_only=True)
    dataset_inputs = serializers.JSONField(
        read_only=True,
        help_text='Dataset versions the run reads: {node: {input: {"dataset", "dataset_name", "version", "dataset_version"}}}.',
    )

    class Meta:
        model = Run
        fields = [
            "id", "pipeline", "pipeline_name", "pipeline_version", "version_number", "status", "trigger",
            "parameters", "dataset_inputs", "error", "retry_of", "created_at", "started_at", "finished_at", "duration_seconds",
            "step_counts",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_trigger(self, run: Run) -> dict[str, Any]:
        # Provenance (docs/triggers.md): {kind, user?} manual; {kind, schedule, schedule_name, fire_time,
        # timezone, catch_up?} schedule; {kind, dataset_trigger, dataset, dataset_name, dataset_version, version}
        # dataset; {kind, metric_trigger, source_run, source_pipeline, metric, value, comparison, threshold}
        # metric; {kind, source_run, user?} retry.
        return {"kind": run.trigger_kind, **(run.trigger or {})}

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_duration_seconds(self, run: Run) -> float | None:
        return _duration(run.started_at, run.finished_at)

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"},
                          "description": "Steps by status; only statuses that occur, in the order of the step states."})
    def get_step_counts(self, run: Run) -> dict[str, int]:
        counts = Counter(step.status for step in run.steps.all())
        return {status: counts[status] for status in StepStatus.values if status in counts}


class RunSerializer(RunSummarySerializer):
    steps = StepRunSerializer(many=True, read_only=True)
    graph = serializers.JSONField(source="pipeline_version.graph", read_only=True)
    abort_requested = serializers.BooleanField(read_only=True)

    class Meta(RunSummarySerializer.Meta):
        fields = [*RunSummarySerializer.Meta.fields, "abort_requested", "graph", "steps"]


class StartRunSerializer(serializers.Serializer):
    parameters = serializers.DictField(required=False, default=dict)
    version = serializers.IntegerField(required=False, min_value=1, help_text="pipeline version number; latest if absent")


class RunFilter(filters.FilterSet):
    pipeline = filters.NumberFilter(field_name="pipeline_id")
    status = filters.ChoiceFilter(choices=RunStatus.choices)
    trigger_kind = filters.ChoiceFilter(choices=TriggerKind.choices)

    class Meta:
        model = Run
        fields = ["pipeline", "status", "trigger_kind"]


class RunListView(generics.ListAPIView):
    # RunSummarySerializer describes the items in the schema; _run_summaries builds them from
    # `.values()` rows, which is several times cheaper than a ModelSerializer per run.
    serializer_class = RunSummarySerializer
    filterset_class = RunFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.run_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        runs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(PagedRows(counted=runs, rows=selectors.run_rows(runs)))  # type: ignore[arg-type]
        return self.get_paginated_response(_run_summaries(page))


def _run_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RunSummarySerializer's output for selectors.run_rows (tests check that both agree)."""
    counts = selectors.run_step_counts(run_ids=[row["id"] for row in rows])
    iso = datetime_formatter()
    return [
        {
            "id": row["id"],
            "pipeline": row["pipeline_id"],
            "pipeline_name": row["pipeline_name"],
            "pipeline_version": row["pipeline_version_id"],
            "version_number": row["version_number"],
            "status": row["status"],
            "trigger": {"kind": row["trigger_kind"], **(row["trigger"] or {})},
            "parameters": row["parameters"],
            "dataset_inputs": row["dataset_inputs"],
            "error": row["error"],
            "retry_of": row["retry_of_id"],
            "created_at": iso(row["created_at"]),
            "started_at": iso(row["started_at"]),
            "finished_at": iso(row["finished_at"]),
            "duration_seconds": _duration(row["started_at"], row["finished_at"]),
            "step_counts": counts.get(row["id"], {}),
        }
        for row in rows
    ]


class RunDetailView(generics.RetrieveAPIView):
    serializer_class = RunSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.run_detail()


class PipelineRunsView(APIView):
    @extend_schema(request=StartRunSerializer, responses={201: RunSerializer})
    def post(self, request: Request, pk: int) -> Response:
        pipeline = get_object_or_404(Pipeline, pk=pk)
        body = StartRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.run_create(
            pipeline=pipeline,
            parameters=body.validated_data.get("parameters"),
            version=body.validated_data.get("version"),
            user=request.user,
        )
        return Response(RunSerializer(selectors.run_detail().get(pk=run.pk)).data, status=status.HTTP_201_CREATED)


class RunAbortView(APIView):
    @extend_schema(request=None, responses={202: RunSerializer})
    def post(self, request: Request, pk: int) -> Response:
        run = services.run_abort(run=get_object_or_404(Run, pk=pk))
        return Response(RunSerializer(selectors.run_detail().get(pk=run.pk)).data, status=status.HTTP_202_ACCEPTED)


class RunRetryView(APIView):
    @extend_schema(request=None, responses={201: RunSerializer})
    def post(self, request: Request, pk: int) -> Response:
        run = services.run_retry(run=get_object_or_404(Run, pk=pk), user=request.user)
        return Response(RunSerializer(selectors.run_detail().get(pk=run.pk)).data, status=status.HTTP_201_CREATED)


class StepLogsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("offset", int, description="byte offset to start from"),
            OpenApiParameter("follow", bool, description="stream until the step ends"),
            OpenApiParameter("attempt", int, description="attempt number; the latest if absent"),
        ],
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request: Request, pk: int, node: str) -> HttpResponse:
        step = get_object_or_404(StepRun, run_id=pk, node_id=node)
        attempt = int(request.query_params.get("attempt") or step.attempt or 1)
        offset = max(0, int(request.query_params.get("offset") or 0))
        path = engine.log_path(step, attempt)
        if request.query_params.get("follow") in ("1", "true"):
            response = StreamingHttpResponse(_follow(step.pk, path, offset), content_type="text/plain; charset=utf-8")
            response["X-Accel-Buffering"] = "no"
            return response
        data = b""
        if path.exists():
            with open(path, "rb") as handle:
                handle.seek(offset)
                data = handle.read(4 * 1024 * 1024)
        response = HttpResponse(data, content_type="text/plain; charset=utf-8")
        response["X-Next-Offset"] = str(offset + len(data))
        response["X-Step-Status"] = step.status
        return response


def _follow(step_id: int, path: Any, offset: int) -> Iterator[bytes]:
    deadline = time.monotonic() + 6 * 3600
    while time.monotonic() < deadline:
        if path.exists():
            with open(path, "rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
            if chunk:
                offset += len(chunk)
                yield chunk
        if StepRun.objects.filter(pk=step_id, status__in=list(STEP_TERMINAL)).exists():
            if path.exists() and path.stat().st_size > offset:
                continue
            return
        time.sleep(0.5)


class ArtifactDetailView(generics.RetrieveAPIView):
    serializer_class = ArtifactSerializer
    queryset = Artifact.objects.all()


class ArtifactPreviewView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        artifact = get_object_or_404(Artifact, pk=pk)
        return Response({"id": artifact.pk, "type": artifact.type, "preview": artifact.preview})


class ArtifactDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> FileResponse:
        artifact = get_object_or_404(Artifact, pk=pk)
        extension = {"text/csv": ".csv", "application/json": ".json", "text/markdown": ".md", "application/x-tar": ".tar"}
        filename = f"{artifact.name}{extension.get(artifact.media_type, '')}"
        return FileResponse(store.open_blob(artifact.sha256), as_attachment=True, filename=filename,
                            content_type=artifact.media_type)
