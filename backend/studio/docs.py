"""The OpenAPI schema and its Swagger UI page, both for signed-in users only.

The schema is the whole API surface, and the issue says every endpoint but
health requires authentication. A script or the SPA asking for the schema
without credentials gets the usual JSON 403; a person opening /api/docs/ in a
browser is sent to the sign-in page and comes back after signing in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer


class _JSONErrorsMixin:
    """Errors in the one JSON shape of studio/errors.py, whatever these views render on
    success (YAML for the schema, HTML for the docs page)."""

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
        return response


# Both need a signed-in user through SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] (settings).
class SchemaView(_JSONErrorsMixin, SpectacularAPIView):
    pass


class DocsView(_JSONErrorsMixin, SpectacularSwaggerView):
    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        # A browser (GET) without a session goes to sign in, with ?next= to come back here.
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed, exceptions.PermissionDenied)):
            request: Any = self.request
            if request.method in ("GET", "HEAD") and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
        return super().handle_exception(exc)
