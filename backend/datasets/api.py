"""HTTP for datasets (docs/api.md "Datasets"): views translate requests to selector/service calls."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets import selectors, services, store
from datasets.models import Dataset, DatasetKind, DatasetVersion
from datasets.uploads import PendingUpload, StoreUploadHandler
from studio.errors import InvalidInput, Problem

# Multipart framing around the file (boundaries, part headers, a message field).
MULTIPART_SLACK = 1024 * 1024


class DatasetProducerSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    step = serializers.IntegerField()
    node = serializers.CharField()
    pipeline = serializers.IntegerField()
    pipeline_name = serializers.CharField()


class DatasetVersionSerializer(serializers.ModelSerializer):
    metadata = serializers.JSONField(read_only=True, help_text='CSV/TSV: {"format", "rows", "columns", "preview": {"columns", "rows"}}; otherwise {}.')
    external = serializers.BooleanField(read_only=True, help_text="Stored outside the studio (s3://, hdfs://, file://); not downloadable here.")
    preview = serializers.SerializerMethodField()
    produced_by = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)

    class Meta:
        model = DatasetVersion
        fields = [
            "id", "dataset", "dataset_name", "number", "uri", "sha256", "size", "media_type", "filename", "metadata",
            "preview", "message", "external", "artifact", "produced_by", "created_by", "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_preview(self, version: DatasetVersion) -> dict[str, Any] | None:
        """The same preview shapes as artifacts ({kind: "table", columns, rows, total_rows}, {kind: "text", text}, ...)."""
        return version.artifact.preview if version.artifact_id else None

    @extend_schema_field(DatasetProducerSerializer(allow_null=True))
    def get_produced_by(self, version: DatasetVersion) -> dict[str, Any] | None:
        step = version.produced_by
        if step is None:
            return None
        return {"run": step.run_id, "step": step.pk, "node": step.node_id, "pipeline": step.run.pipeline_id,
                "pipeline_name": step.run.pipeline.name}


class DatasetSerializer(serializers.ModelSerializer):
    latest_version = DatasetVersionSerializer(read_only=True, allow_null=True)
    version_count = serializers.IntegerField(read_only=True, default=0)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Dataset
        fields = ["id", "name", "kind", "description", "latest_version", "version_count", "created_by", "created_at", "updated_at"]
        read_only_fields = fields


class DatasetCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    kind = serializers.ChoiceField(choices=DatasetKind.choices, default=DatasetKind.DATASET)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DatasetUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)


class DatasetVersionRegisterSerializer(serializers.Serializer):
    uri = serializers.CharField(max_length=2000, allow_blank=True, help_text="s3://bucket/key, hdfs://host/path or file:///path")
    checksum = serializers.CharField(required=False, allow_blank=True, default="", help_text="sha256:<64 hex>; lets an identical re-registration be recognised")
    message = serializers.CharField(required=False, allow_blank=True, default="")


class DatasetVersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    message = serializers.CharField(required=False, allow_blank=True)


class DatasetVersionCommitResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="false when the content equals the latest version's (no version was added)")
    version = DatasetVersionSerializer()


class DatasetLineageSerializer(serializers.Serializer):
    dataset = serializers.JSONField()
    nodes = serializers.JSONField(help_text='[{id: "version:<id>", type: "version", ...} | {id: "run:<id>", type: "run", ...}]')
    edges = serializers.JSONField(help_text='[{source, target, kind: "input" | "output", node, port}]')


# --------------------------------------------------------------------------- views


class DatasetListView(generics.ListAPIView):
    serializer_class = DatasetSerializer

    @extend_schema(parameters=[
        OpenApiParameter("search", str, description="in name or description"),
        OpenApiParameter("kind", str, enum=DatasetKind.values),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return selectors.dataset_list(search=params.get("search", "").strip(), kind=params.get("kind", "").strip())

    @extend_schema(request=DatasetCreateSerializer, responses={201: DatasetSerializer})
    def post(self, request: Request) -> Response:
        body = DatasetCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dataset = services.dataset_create(user=request.user, **body.validated_data)
        return Response(DatasetSerializer(selectors.dataset_get(dataset_id=dataset.pk)).data, status=status.HTTP_201_CREATED)


class DatasetDetailView(APIView):
    @extend_schema(responses=DatasetSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DatasetSerializer(selectors.dataset_get(dataset_id=pk)).data)

    @extend_schema(request=DatasetUpdateSerializer, responses=DatasetSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        dataset = selectors.dataset_get(dataset_id=pk)
        body = DatasetUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dataset_update(dataset=dataset, description=body.validated_data.get("description"))
        return Response(DatasetSerializer(selectors.dataset_get(dataset_id=pk)).data)


class DatasetVersionsView(generics.ListAPIView):
    queryset = DatasetVersion.objects.none()  # for the schema; get_queryset filters by the url
    serializer_class = DatasetVersionSerializer
    parser_classes = [JSONParser, MultiPartParser]
    upload_handler: StoreUploadHandler | None = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.version_list(dataset=selectors.dataset_get(dataset_id=self.kwargs["pk"]))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Installed before authentication: a session's CSRF check reads request.POST,
        # which parses a multipart body, and it must stream into the store too.
        if request.method == "POST" and request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            self.upload_handler = StoreUploadHandler(request._request, max_bytes=services.max_upload_bytes())
            request._request.upload_handlers = [self.upload_handler]
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Every answer passes here, refusals raised before the view too (a failed CSRF check
        # has parsed the body by then): what was received and did not become a version goes.
        if self.upload_handler is not None:
            self.upload_handler.abort()
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        summary="Commit a new version: upload a file, or register an external URI",
        description=(
            "Multipart with a `file` field (and optional `message`), a raw body of any other content type "
            "(`?filename=` names it; e.g. `Content-Type: text/csv`), or JSON `{uri, checksum?, message?}` for data "
            "stored at s3://, hdfs:// or file://. Uploads stream into the store and are refused past "
            "STUDIO_DATASET_MAX_BYTES (413). Content identical to the latest version adds nothing: "
            "200 `{created: false, version: <latest>}`; otherwise 201 `{created: true, version}`, and every "
            "enabled dataset trigger on the dataset starts one run with the new version."
        ),
        request={
            "multipart/form-data": DatasetVersionUploadSerializer,
            "application/json": DatasetVersionRegisterSerializer,
            "application/octet-stream": OpenApiTypes.BINARY,
        },
        parameters=[OpenApiParameter("filename", str, description="raw uploads: the file's name (sets the media type by extension)")],
        responses={201: DatasetVersionCommitResultSerializer, 200: DatasetVersionCommitResultSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        dataset = selectors.dataset_get(dataset_id=pk)
        content_type = request.content_type or ""
        if content_type.startswith("multipart/form-data"):
            version, created = self._multipart(request, dataset)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            # Form encoding mangles bytes (and a session's CSRF check has already consumed the body).
            message = "file: send the data as multipart/form-data, or as a raw body with a type such as application/octet-stream or text/csv."
            raise InvalidInput(message, [Problem("unsupported_media_type", message, field="file")])
        elif content_type.startswith("application/json"):
            body = DatasetVersionRegisterSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            version, created = services.dataset_version_register(dataset=dataset, user=request.user, **body.validated_data)
        else:
            version, created = self._raw(request, dataset)
        version = selectors.version_get(dataset=dataset, number=version.number)
        body = DatasetVersionCommitResultSerializer({"created": created, "version": version}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _multipart(self, request: Request, dataset: Dataset) -> tuple[DatasetVersion, bool]:
        declared = _content_length(request)
        if declared is not None and declared > services.max_upload_bytes() + MULTIPART_SLACK:
            raise services.too_large(declared)
        try:
            upload = request.FILES.get("file")
        except RequestDataTooBig:
            raise services.too_large(declared, field="message") from None
        handler = self.upload_handler
        if handler is not None and handler.too_large:
            raise services.too_large(handler.received)
        if not isinstance(upload, PendingUpload):
            message = 'file: send the data as a multipart file field named "file".'
            raise InvalidInput(message, [Problem("required", message, field="file")])
        return services.dataset_version_upload(
            dataset=dataset, blob=upload.blob, filename=upload.name or "", media_type=upload.content_type or "",
            message=str(request.data.get("message", "") or ""), user=request.user,
        )

    def _raw(self, request: Request, dataset: Dataset) -> tuple[DatasetVersion, bool]:
        limit = services.max_upload_bytes()
        declared = _content_length(request)
        if declared is not None and declared > limit:
            raise services.too_large(declared, field=None)
        stream = request.stream
        if stream is None:
            message = "Send a file (multipart field \"file\" or a raw body) or JSON {\"uri\": ...}."
            raise InvalidInput(message, [Problem("required", message, field="file")])
        try:
            blob = store.receive_stream(stream, max_bytes=limit)
        except store.BlobTooLarge as exc:
            raise services.too_large(exc.received, field=None) from None
        filename = request.query_params.get("filename") or _disposition_filename(request.META.get("HTTP_CONTENT_DISPOSITION", ""))
        return services.dataset_version_upload(
            dataset=dataset, blob=blob, filename=filename, media_type=request.content_type or "",
            message=request.query_params.get("message", ""), user=request.user,
        )


def _content_length(request: Request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    return int(raw) if raw.isdigit() else None


def _disposition_filename(header: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value:
            return value.strip().strip('"')
    return ""


class DatasetVersionDetailView(APIView):
    @extend_schema(responses=DatasetVersionSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        dataset = selectors.dataset_get(dataset_id=pk)
        return Response(DatasetVersionSerializer(selectors.version_get(dataset=dataset, number=number)).data)


class DatasetVersionDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, number: int) -> FileResponse:
        dataset = selectors.dataset_get(dataset_id=pk)
        version = selectors.version_get(dataset=dataset, number=number)
        services.dataset_download_check(version=version)
        filename = version.filename or f"{dataset.name}-v{version.number}"
        return FileResponse(store.open_blob(version.sha256), as_attachment=True, filename=filename,
                            content_type=version.media_type or "application/octet-stream")


class DatasetLineageView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("depth", int, description="hops each way (1-5, default 3)")],
        responses=DatasetLineageSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        dataset = selectors.dataset_get(dataset_id=pk)
        raw = request.query_params.get("depth", "3")
        depth = min(max(int(raw), 1), 5) if raw.isdigit() else 3
        return Response(selectors.dataset_lineage(dataset=dataset, depth=depth))
