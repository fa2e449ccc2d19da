"""HTTP for schedules, dataset triggers and metric triggers (docs/api.md "Triggers").

Serializers check the JSON shape; the services check everything that needs
the database (cron, zone, pipeline version, node and input, parameters) and
raise problems naming the field. Nothing is written unless all checks pass.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets.models import Dataset
from pipelines.models import Pipeline
from studio.errors import InvalidInput, Problem
from triggers import cron as cron_lib
from triggers import selectors, services
from triggers.models import (
    CatchUp,
    Comparison,
    DatasetTrigger,
    DatasetTriggerFiring,
    MetricTrigger,
    MetricTriggerFiring,
    Schedule,
    ScheduleFiring,
)

# --------------------------------------------------------------------------- helpers


def _pipeline(value: Any, field: str) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=value).first()
    if pipeline is None:
        message = f"{field}: pipeline {value} does not exist."
        raise InvalidInput(message, [Problem("not_found", message, field=field)])
    return pipeline


def _dataset(value: Any) -> Dataset:
    dataset = Dataset.objects.filter(pk=value).first()
    if dataset is None:
        message = f"dataset: dataset {value} does not exist."
        raise InvalidInput(message, [Problem("not_found", message, field="dataset")])
    return dataset


class _WriteSerializer(serializers.Serializer):
    """Rejects fields it does not know, instead of silently ignoring a typo."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: "unknown field." for name in unknown})
        return attrs


# --------------------------------------------------------------------------- schedules


class ScheduleSerializer(serializers.ModelSerializer):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    pipeline_version = serializers.SerializerMethodField(help_text="pinned version number; null runs the newest version")
    next_fire_times = serializers.SerializerMethodField(help_text="the next five fire times, ISO 8601 in the schedule's zone")
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    parameters = serializers.JSONField(read_only=True)

    class Meta:
        model = Schedule
        fields = [
            "id", "name", "pipeline", "pipeline_name", "pipeline_version", "cron", "timezone", "parameters", "enabled",
            "catchup", "max_catchup", "max_concurrent_runs", "next_fire_at", "next_fire_times", "last_fire_at",
            "created_by", "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_pipeline_version(self, schedule: Schedule) -> int | None:
        return schedule.pipeline_version.number if schedule.pipeline_version_id else None

    @extend_schema_field(serializers.ListField(child=serializers.DateTimeField()))
    def get_next_fire_times(self, schedule: Schedule) -> list[str]:
        return [t.isoformat() for t in services.schedule_next_fire_times(schedule=schedule)]


class ScheduleWriteSerializer(_WriteSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    pipeline = serializers.IntegerField(min_value=1)
    pipeline_version = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                                help_text="pin a version number; null or absent runs the newest version")
    cron = serializers.CharField(max_length=200, allow_blank=True, help_text="five fields (minute hour day-of-month month day-of-week) or @daily, @hourly, ...")
    timezone = serializers.CharField(max_length=64, required=False, default="UTC", help_text="IANA name, e.g. Europe/Berlin")
    parameters = serializers.DictField(required=False)
    enabled = serializers.BooleanField(required=False, help_text="false pauses the schedule")
    catchup = serializers.ChoiceField(choices=CatchUp.choices, required=False)
    max_catchup = serializers.IntegerField(min_value=1, max_value=services.MAX_CATCHUP_LIMIT, required=False)
    max_concurrent_runs = serializers.IntegerField(min_value=1, max_value=services.MAX_CONCURRENT_LIMIT, required=False)


class ScheduleFiringSerializer(serializers.ModelSerializer):
    run_status = serializers.CharField(source="run.status", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ScheduleFiring
        fields = ["id", "schedule", "fire_time", "status", "run", "run_status", "detail", "created_at"]
        read_only_fields = fields


class SchedulePreviewSerializer(serializers.Serializer):
    cron = serializers.CharField()
    timezone = serializers.CharField()
    next_fire_times = serializers.ListField(child=serializers.DateTimeField(), help_text="ISO 8601 with the zone's offset")


class ScheduleListView(generics.ListAPIView):
    serializer_class = ScheduleSerializer

    @extend_schema(parameters=[OpenApiParameter("pipeline", int)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.schedule_list(pipeline_id=_int_param(self.request, "pipeline"))

    @extend_schema(request=ScheduleWriteSerializer, responses={201: ScheduleSerializer})
    def post(self, request: Request) -> Response:
        body = ScheduleWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["pipeline"] = _pipeline(data["pipeline"], "pipeline")
        schedule = services.schedule_create(user=request.user, **data)
        return Response(ScheduleSerializer(selectors.schedule_get(schedule_id=schedule.pk)).data, status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    @extend_schema(responses=ScheduleSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ScheduleSerializer(selectors.schedule_get(schedule_id=pk)).data)

    @extend_schema(request=ScheduleWriteSerializer(partial=True), responses=ScheduleSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        schedule = selectors.schedule_get(schedule_id=pk)
        body = ScheduleWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if "pipeline" in changes:
            changes["pipeline"] = _pipeline(changes["pipeline"], "pipeline")
        services.schedule_update(schedule=schedule, changes=changes)
        return Response(ScheduleSerializer(selectors.schedule_get(schedule_id=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.schedule_delete(schedule=selectors.schedule_get(schedule_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleFiringsView(generics.ListAPIView):
    queryset = ScheduleFiring.objects.none()  # for the schema; get_queryset filters by the url
    serializer_class = ScheduleFiringSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        schedule = selectors.schedule_get(schedule_id=self.kwargs["pk"])
        return ScheduleFiring.objects.filter(schedule=schedule).select_related("run").order_by("-fire_time", "-id")


class SchedulePreviewView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("cron", str, required=True),
            OpenApiParameter("timezone", str, description="IANA name; UTC if absent"),
            OpenApiParameter("count", int, description="how many fire times (default 5, at most 50)"),
        ],
        responses=SchedulePreviewSerializer,
    )
    def get(self, request: Request) -> Response:
        cron = request.query_params.get("cron", "")
        zone = request.query_params.get("timezone") or "UTC"
        count = _int_param(request, "count") or 5
        times = services.schedule_preview(cron=cron, timezone=zone, count=count)
        return Response({
            "cron": cron_lib.parse(cron).expression,
            "timezone": zone,
            "next_fire_times": [t.isoformat() for t in times],
        })


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        message = f"{name}: expected a whole number, got {raw!r}."
        raise InvalidInput(message, [Problem("invalid", message, field=name)])
    return int(raw)


# --------------------------------------------------------------------------- dataset triggers


class LastFiringSerializer(serializers.Serializer):
    status = serializers.CharField()
    run = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()
    created_at = serializers.DateTimeField()


class DatasetTriggerSerializer(serializers.ModelSerializer):
    pipeline_name = serializers.CharField(source="pipeline.name", read_only=True)
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    parameters = serializers.JSONField(read_only=True)

    class Meta:
        model = DatasetTrigger
        fields = [
            "id", "name", "pipeline", "pipeline_name", "dataset", "dataset_name", "node", "input", "parameters",
            "enabled", "debounce_seconds", "created_by", "created_at", "updated_at",
        ]
        read_only_fields = fields


class DatasetTriggerWriteSerializer(_WriteSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    pipeline = serializers.IntegerField(min_value=1)
    dataset = serializers.IntegerField(min_value=1)
    node = serializers.CharField(max_length=100, help_text="the node whose input receives the new version")
    input = serializers.CharField(max_length=200)
    parameters = serializers.DictField(required=False)
    enabled = serializers.BooleanField(required=False)
    debounce_seconds = serializers.IntegerField(min_value=0, max_value=services.MAX_DEBOUNCE_SECONDS, required=False,
                                                help_text="0: every version runs; N: wait N s and run only the newest of a burst")


class DatasetTriggerFiringSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="dataset_version.number", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True, allow_null=True, default=None)

    class Meta:
        model = DatasetTriggerFiring
        fields = ["id", "trigger", "dataset_version", "version", "status", "fire_after", "run", "run_status", "detail", "created_at"]
        read_only_fields = fields


class DatasetTriggerListView(generics.ListAPIView):
    serializer_class = DatasetTriggerSerializer

    @extend_schema(parameters=[OpenApiParameter("pipeline", int), OpenApiParameter("dataset", int)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.dataset_trigger_list(
            pipeline_id=_int_param(self.request, "pipeline"), dataset_id=_int_param(self.request, "dataset")
        )

    @extend_schema(request=DatasetTriggerWriteSerializer, responses={201: DatasetTriggerSerializer})
    def post(self, request: Request) -> Response:
        body = DatasetTriggerWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["pipeline"] = _pipeline(data["pipeline"], "pipeline")
        data["dataset"] = _dataset(data["dataset"])
        trigger = services.dataset_trigger_create(user=request.user, **data)
        return Response(DatasetTriggerSerializer(selectors.dataset_trigger_get(trigger_id=trigger.pk)).data, status=status.HTTP_201_CREATED)


class DatasetTriggerDetailView(APIView):
    @extend_schema(responses=DatasetTriggerSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DatasetTriggerSerializer(selectors.dataset_trigger_get(trigger_id=pk)).data)

    @extend_schema(request=DatasetTriggerWriteSerializer(partial=True), responses=DatasetTriggerSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        trigger = selectors.dataset_trigger_get(trigger_id=pk)
        body = DatasetTriggerWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if "pipeline" in changes:
            changes["pipeline"] = _pipeline(changes["pipeline"], "pipeline")
        if "dataset" in changes:
            changes["dataset"] = _dataset(changes["dataset"])
        services.dataset_trigger_update(trigger=trigger, changes=changes)
        return Response(DatasetTriggerSerializer(selectors.dataset_trigger_get(trigger_id=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.dataset_trigger_delete(trigger=selectors.dataset_trigger_get(trigger_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetTriggerFiringsView(generics.ListAPIView):
    queryset = DatasetTriggerFiring.objects.none()  # for the schema; get_queryset filters by the url
    serializer_class = DatasetTriggerFiringSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        trigger = selectors.dataset_trigger_get(trigger_id=self.kwargs["pk"])
        return DatasetTriggerFiring.objects.filter(trigger=trigger).select_related("dataset_version", "run").order_by("-id")


# --------------------------------------------------------------------------- metric triggers


class MetricTriggerSerializer(serializers.ModelSerializer):
    source_pipeline_name = serializers.CharField(source="source_pipeline.name", read_only=True)
    target_pipeline_name = serializers.CharField(source="target_pipeline.name", read_only=True)
    metric = serializers.SerializerMethodField(
        help_text="the watched value in full: node.output.key (e.g. evaluate.metrics.accuracy), or node.output for a Float/Integer output"
    )
    key = serializers.CharField(source="metric", read_only=True, help_text="the key inside the metrics output; blank for a Float/Integer output")
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    parameters = serializers.JSONField(read_only=True)

    class Meta:
        model = MetricTrigger
        fields = [
            "id", "name", "source_pipeline", "source_pipeline_name", "metric", "node", "output", "key", "comparison",
            "threshold", "target_pipeline", "target_pipeline_name", "parameters", "enabled", "created_by", "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_metric(self, trigger: MetricTrigger) -> str:
        return trigger.watched


class MetricTriggerWriteSerializer(_WriteSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    source_pipeline = serializers.IntegerField(min_value=1)
    metric = serializers.CharField(max_length=500, allow_blank=True, help_text=(
        "the watched value of the source pipeline: node.output.key (evaluate.metrics.accuracy), node.key when the node has "
        "one Metrics output (evaluate.accuracy), or node.output for a Float/Integer output"
    ))
    comparison = serializers.ChoiceField(choices=Comparison.choices)
    threshold = serializers.FloatField()
    target_pipeline = serializers.IntegerField(min_value=1)
    parameters = serializers.DictField(required=False)
    enabled = serializers.BooleanField(required=False)


class MetricTriggerFiringSerializer(serializers.ModelSerializer):
    run_status = serializers.CharField(source="run.status", read_only=True, allow_null=True, default=None)

    class Meta:
        model = MetricTriggerFiring
        fields = ["id", "trigger", "source_run", "value", "status", "run", "run_status", "detail", "created_at"]
        read_only_fields = fields


class MetricTriggerListView(generics.ListAPIView):
    serializer_class = MetricTriggerSerializer

    @extend_schema(parameters=[OpenApiParameter("source_pipeline", int), OpenApiParameter("target_pipeline", int)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.metric_trigger_list(
            source_pipeline_id=_int_param(self.request, "source_pipeline"),
            target_pipeline_id=_int_param(self.request, "target_pipeline"),
        )

    @extend_schema(request=MetricTriggerWriteSerializer, responses={201: MetricTriggerSerializer})
    def post(self, request: Request) -> Response:
        body = MetricTriggerWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["source_pipeline"] = _pipeline(data["source_pipeline"], "source_pipeline")
        data["target_pipeline"] = _pipeline(data["target_pipeline"], "target_pipeline")
        trigger = services.metric_trigger_create(user=request.user, **data)
        return Response(MetricTriggerSerializer(selectors.metric_trigger_get(trigger_id=trigger.pk)).data, status=status.HTTP_201_CREATED)


class MetricTriggerDetailView(APIView):
    @extend_schema(responses=MetricTriggerSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(MetricTriggerSerializer(selectors.metric_trigger_get(trigger_id=pk)).data)

    @extend_schema(request=MetricTriggerWriteSerializer(partial=True), responses=MetricTriggerSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        trigger = selectors.metric_trigger_get(trigger_id=pk)
        body = MetricTriggerWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        for field in ("source_pipeline", "target_pipeline"):
            if field in changes:
                changes[field] = _pipeline(changes[field], field)
        services.metric_trigger_update(trigger=trigger, changes=changes)
        return Response(MetricTriggerSerializer(selectors.metric_trigger_get(trigger_id=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.metric_trigger_delete(trigger=selectors.metric_trigger_get(trigger_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MetricTriggerFiringsView(generics.ListAPIView):
    queryset = MetricTriggerFiring.objects.none()  # for the schema; get_queryset filters by the url
    serializer_class = MetricTriggerFiringSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        trigger = get_object_or_404(MetricTrigger, pk=self.kwargs["pk"])
        return MetricTriggerFiring.objects.filter(trigger=trigger).select_related("run").order_by("-id")
