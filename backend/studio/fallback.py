"""The last pattern under /api/: any path no endpoint matched is a JSON 404 in the error shape.

Without it Django answers unknown API paths with its HTML 404 page, and a POST to a path that
lacks its trailing slash (`/api/pipelines`) runs into APPEND_SLASH: a RuntimeError (500) under
DEBUG, an HTML 301 otherwise, which a client following it turns into a GET.
"""

from __future__ import annotations

from typing import Any

from django.urls import Resolver404, resolve
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.errors import NotFound

FALLBACK_URL_NAME = "api-not-found"


def _slash_hint(path: str) -> str | None:
    """`/api/pipelines/` when `/api/pipelines` was asked for and the slashed path is an endpoint."""
    if path.endswith("/"):
        return None
    try:
        match = resolve(path + "/")
    except Resolver404:
        return None
    return None if match.url_name == FALLBACK_URL_NAME else path + "/"


def api_path_not_found(path: str) -> NotFound:
    hint = _slash_hint(path)
    if hint is not None:
        message = f"No API endpoint at {path}: API paths end with a slash, did you mean {hint}?"
    else:
        message = f"No API endpoint at {path}; the endpoints are listed at /api/docs/."
    return NotFound(message)  # which carries the not_found problem


class ApiNotFoundView(APIView):
    # Answers every method the same way, signed in or not: it reveals no more than
    # the public documentation and source do, and tells a client what it got wrong.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    schema = None  # not an endpoint: kept out of the OpenAPI document

    def _not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise api_path_not_found(request.path_info)

    get = post = put = patch = delete = head = options = _not_found
