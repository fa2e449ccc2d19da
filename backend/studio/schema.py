"""OpenAPI shapes shared by every app: the one error body of studio/errors.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    node = serializers.CharField(required=False)
    port = serializers.CharField(required=False)
    field = serializers.CharField(required=False)


class ErrorResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    problems = ErrorProblemSerializer(many=True)


AUTH_ERRORS = {
    401: OpenApiResponse(ErrorResponseSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorResponseSerializer, description="Not allowed."),
}
