"""HTTP for the catalog (docs/api.md "Catalog"): views translate requests to selector/service calls."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors, services
from catalog import spec as specs
from catalog.models import Category, Component, ComponentVersion
from studio.errors import InvalidInput, Problem, StudioError
from studio.schema import AUTH_ERRORS, ErrorResponseSerializer

# A component file is a few KiB; the cap keeps a mistaken upload (a dataset,
# a binary) from being parsed as YAML. Overridable for operators who need more.
MAX_COMPONENT_FILE_BYTES: int = getattr(settings, "CATALOG_MAX_COMPONENT_FILE_BYTES", 1024 * 1024)


class PayloadTooLarge(StudioError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "too_large"


# --------------------------------------------------------------------------
# Serializers (read-only shapes of docs/api.md)


class PortSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField(allow_null=True, help_text="Type name; null means untyped (connects to anything).")
    description = serializers.CharField(allow_null=True)
    default = serializers.CharField(allow_null=True, help_text="Default as command-line text; null when there is none.")
    optional = serializers.BooleanField()


class ResourcesSerializer(serializers.Serializer):
    cpu = serializers.FloatField(help_text="Cores (default 1).")
    memory = serializers.CharField(help_text="As written in the spec, e.g. 512Mi (default 1Gi).")
    memory_bytes = serializers.IntegerField()
    gpu = serializers.IntegerField(help_text="Default 0.")


class SourceSerializer(serializers.Serializer):
    repo = serializers.CharField(required=False, allow_null=True)
    ref = serializers.CharField(required=False, allow_null=True)
    path = serializers.CharField(required=False, allow_null=True)


class ComponentVersionSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    inputs = serializers.SerializerMethodField()
    outputs = serializers.SerializerMethodField()
    resources = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    spec = serializers.JSONField(help_text="The full component.yaml as JSON, exactly as imported.")

    class Meta:
        model = ComponentVersion
        fields = [
            "id", "component", "name", "version", "digest", "description", "category", "image",
            "inputs", "outputs", "resources", "source", "runnable", "spec", "created_at",
        ]
        read_only_fields = fields

    def get_name(self, obj: ComponentVersion) -> str:
        return str(obj.spec.get("name", ""))

    def get_description(self, obj: ComponentVersion) -> str:
        return specs.description(obj.spec)

    @extend_schema_field(serializers.ChoiceField(choices=Category.choices))
    def get_category(self, obj: ComponentVersion) -> str:
        return specs.category(obj.spec)

    @extend_schema_field(PortSerializer(many=True))
    def get_inputs(self, obj: ComponentVersion) -> list[specs.Port]:
        return specs.input_ports(obj.spec)

    @extend_schema_field(PortSerializer(many=True))
    def get_outputs(self, obj: ComponentVersion) -> list[specs.Port]:
        return specs.output_ports(obj.spec)

    @extend_schema_field(ResourcesSerializer)
    def get_resources(self, obj: ComponentVersion) -> dict[str, Any]:
        normalised = specs.resources(obj.spec)
        written = (obj.spec.get("resources") or {}).get("memory")
        return {
            "cpu": normalised["cpu"],
            "memory": str(written) if written is not None else specs.DEFAULT_MEMORY,
            "memory_bytes": normalised["memory_bytes"],
            "gpu": normalised["gpu"],
        }

    @extend_schema_field(SourceSerializer(allow_null=True))
    def get_source(self, obj: ComponentVersion) -> dict[str, Any] | None:
        return specs.source(obj.spec)


class ComponentSummarySerializer(serializers.ModelSerializer):
    latest_version = serializers.SerializerMethodField()
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Component
        fields = ["id", "name", "description", "category", "latest_version", "version_count", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(ComponentVersionSerializer(allow_null=True))
    def get_latest_version(self, obj: Component) -> dict[str, Any] | None:
        # `latest_versions` comes from the selectors' prefetch (no query per row);
        # the fallback query serves a Component loaded some other way.
        if hasattr(obj, "latest_versions"):
            latest = obj.latest_versions[0] if obj.latest_versions else None
        else:
            latest = obj.versions.order_by("-version").first()
        return ComponentVersionSerializer(latest, context=self.context).data if latest is not None else None


class ComponentDetailSerializer(ComponentSummarySerializer):
    versions = ComponentVersionSerializer(many=True, read_only=True, source="ordered_versions", help_text="Newest first.")

    class Meta(ComponentSummarySerializer.Meta):
        fields = [*ComponentSummarySerializer.Meta.fields, "versions"]
        read_only_fields = fields


class ComponentImportJsonSerializer(serializers.Serializer):
    yaml = serializers.CharField(trim_whitespace=False, allow_blank=False, help_text="The component.yaml text (KFP v1 format).")


class ComponentImportFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A component.yaml file, at most 1 MiB.")


class ComponentImportResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False when the identical spec was already stored.")
    version = ComponentVersionSerializer()


# --------------------------------------------------------------------------
# Filters


class ComponentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the name or description.")
    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Component
        fields = ["search", "category"]

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        return selectors.components_matching(queryset, search=value)


# --------------------------------------------------------------------------
# Views

_ERRORS = AUTH_ERRORS


@extend_schema(tags=["catalog"], responses={200: ComponentSummarySerializer(many=True), **_ERRORS})
class ComponentListView(generics.ListAPIView):
    """The component catalog, by name; `?search=` matches name and description, `?category=` filters."""

    serializer_class = ComponentSummarySerializer
    filterset_class = ComponentFilter

    def get_queryset(self) -> Any:
        return selectors.component_list()


@extend_schema(tags=["catalog"], responses={200: ComponentDetailSerializer, 404: ErrorResponseSerializer, **_ERRORS})
class ComponentDetailView(APIView):
    """One component with all its versions, newest first."""

    def get(self, request: Request, pk: int) -> Response:
        component = selectors.component_get(component_id=pk)
        return Response(ComponentDetailSerializer(component, context={"request": request}).data)


@extend_schema(tags=["catalog"], responses={200: ComponentVersionSerializer, 404: ErrorResponseSerializer, **_ERRORS})
class ComponentVersionDetailView(APIView):
    """One immutable component version: spec, image, ports, resources."""

    def get(self, request: Request, pk: int) -> Response:
        version = selectors.component_version_get(version_id=pk)
        return Response(ComponentVersionSerializer(version, context={"request": request}).data)


class ComponentImportView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["catalog"],
        operation_id="components_import",
        summary="Import a component file (KFP v1 component.yaml)",
        description=(
            'Send JSON `{"yaml": "..."}` or a multipart `file` (at most 1 MiB). Returns 201 with the new '
            "version, or 200 with the existing one when the identical spec is already stored. A changed spec "
            "of a known component name becomes its next version. Invalid files are rejected with every "
            "problem and the path of the offending field."
        ),
        request={"application/json": ComponentImportJsonSerializer, "multipart/form-data": ComponentImportFileSerializer},
        responses={
            201: ComponentImportResultSerializer,
            200: ComponentImportResultSerializer,
            400: ErrorResponseSerializer,
            413: ErrorResponseSerializer,
            **_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        # Refuse obviously oversized bodies before parsing them into memory.
        # JSON escaping can double a file's size, hence the slack.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > 4 * MAX_COMPONENT_FILE_BYTES:
            raise _too_large(int(declared), field=None)
        try:
            text = _import_text(request)
        except RequestDataTooBig:
            # Django's own cap on non-file multipart fields (DATA_UPLOAD_MAX_MEMORY_SIZE).
            raise _too_large(int(declared) if declared.isdigit() else MAX_COMPONENT_FILE_BYTES + 1, field="yaml") from None
        version, created = services.component_import(text=text, user=request.user)
        body = ComponentImportResultSerializer({"created": created, "version": version}, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _import_text(request: Request) -> str:
    """The component text from `file` (multipart) or `yaml` (JSON); exactly one of them."""
    upload = request.FILES.get("file")
    has_yaml = hasattr(request.data, "get") and "yaml" in request.data
    if upload is not None and has_yaml:
        raise InvalidInput(
            'Send either a "yaml" field or a "file", not both.',
            [Problem(code="ambiguous", message='yaml: send either "yaml" or "file", not both', field="yaml")],
        )
    if upload is None and not has_yaml:
        raise InvalidInput(
            'Send the component as JSON {"yaml": "..."} or as a multipart file field named "file".',
            [Problem(code="required", message='yaml: send {"yaml": "..."} or a multipart "file"', field="yaml")],
        )
    if upload is not None:
        if upload.size is not None and upload.size > MAX_COMPONENT_FILE_BYTES:
            raise _too_large(upload.size, field="file")
        raw = upload.read(MAX_COMPONENT_FILE_BYTES + 1)
        if len(raw) > MAX_COMPONENT_FILE_BYTES:
            raise _too_large(len(raw), field="file")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            message = f"file: not UTF-8 text (byte {exc.start}); a component file is YAML text"
            raise InvalidInput(message, [Problem(code="invalid_encoding", message=message, field="file")]) from None
    serializer = ComponentImportJsonSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    text: str = serializer.validated_data["yaml"]
    size = len(text.encode("utf-8"))
    if size > MAX_COMPONENT_FILE_BYTES:
        raise _too_large(size, field="yaml")
    return text


def _too_large(size: int, *, field: str | None) -> PayloadTooLarge:
    limit = MAX_COMPONENT_FILE_BYTES
    shown = f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit:,} bytes"
    message = f"The component file is {size:,} bytes; the limit is {shown} ({limit:,} bytes)."
    return PayloadTooLarge(message, [Problem(code="too_large", message=message, field=field)])
