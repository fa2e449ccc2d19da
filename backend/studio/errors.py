"""One family of domain errors and one HTTP shape for every 4xx.

Services raise `StudioError` subclasses carrying `Problem`s; the DRF exception
handler below renders them, and DRF's own errors, as
`{"message": ..., "problems": [{"code", "message", "node"?, "port"?, "field"?}]}`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    node: str | None = None
    port: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class StudioError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class InvalidInput(StudioError):
    code = "invalid"


class NotFound(StudioError):
    """Every 404 carries a `not_found` problem (the message itself, unless the raiser gives
    its own, e.g. one naming a field), so clients read the same shape from every app."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, problems or [Problem(code="not_found", message=message)])


class Conflict(StudioError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


def error_body(message: str, problems: list[Problem] | list[dict[str, Any]] | None = None) -> dict[str, Any]:
    rendered = [p.as_dict() if isinstance(p, Problem) else p for p in (problems or [])]
    return {"message": message, "problems": rendered}


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    """DRF validation details (nested dicts/lists) → a flat problem list with dotted field paths."""
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if field is None else f"{field}.{key}"
            if key == "non_field_errors":
                name = field  # type: ignore[assignment]
            out.extend(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                out.append(_problem(item, field))
        else:
            for index, item in enumerate(detail):
                out.extend(_flatten(item, f"{field}[{index}]" if field else f"[{index}]"))
    else:
        out.append(_problem(detail, field))
    return out


def _problem(item: Any, field: str | None) -> dict[str, Any]:
    code = getattr(item, "code", None) or "invalid"
    text = str(item)
    problem: dict[str, Any] = {"code": code, "message": f"{field}: {text}" if field else text}
    if field:
        problem["field"] = field
    return problem


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StudioError):
        return Response(error_body(exc.message, exc.problems), status=exc.status_code)
    if isinstance(exc, Http404):
        # get_object_or_404 says which kind of object: "No Run matches the given query."
        return exception_handler(NotFound(str(exc) or "Not found."), context)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        problems = _flatten(exc.detail)
        message = "; ".join(p["message"] for p in problems[:3]) or "Invalid input."
        if len(problems) > 3:
            message += f" (and {len(problems) - 3} more)"
        response.data = error_body(message, problems)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (dict, list)) else "Request failed."
        response.data = error_body(message, [{"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error", "message": message}])
    return response
