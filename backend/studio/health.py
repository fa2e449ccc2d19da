"""GET /api/health/: liveness of the database, the broker and the Docker engine. No auth."""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"ok": False, "error": str(exc)}


def _check_broker() -> dict[str, Any]:
    from studio.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return {"ok": True, "transport": conn.transport_cls if isinstance(conn.transport_cls, str) else "custom"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)}


def _check_docker() -> dict[str, Any]:
    """The engine as the workers see it (executors.selectors.engine_health): the web process may
    have no Docker socket (docker-compose.yml), the workers always do."""
    try:
        from executors.selectors import engine_health
    except ImportError:
        return {"ok": False, "error": "executor not installed"}
    try:
        return engine_health()
    except Exception as exc:  # noqa: BLE001 - health reports any failure (e.g. the database is down)
        return {"ok": False, "error": str(exc)}


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            fields={
                "status": serializers.CharField(),
                "database": serializers.DictField(),
                "broker": serializers.DictField(),
                "docker": serializers.DictField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        database = _check_database()
        broker = _check_broker()
        docker = _check_docker()
        # The web app is usable without Docker (it only runs steps), so only
        # the database decides liveness; the others are reported.
        overall = "ok" if database["ok"] and broker["ok"] and docker["ok"] else ("degraded" if database["ok"] else "down")
        return Response(
            {"status": overall, "database": database, "broker": broker, "docker": docker},
            status=200 if database["ok"] else 503,
        )
