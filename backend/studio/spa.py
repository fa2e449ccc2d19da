"""Serves the built editor's index.html for every browser route (/, /pipelines/3, ...)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    path = settings.FRONTEND_DIST / "index.html"
    if not path.is_file():
        return HttpResponse(
            "<h1>Pipeline Studio</h1><p>The editor is not built yet: run <code>make up</code> "
            "(or <code>cd frontend && npm install && npm run build</code>). The API is at "
            '<a href="/api/docs/">/api/docs/</a>.</p>',
            status=200,
        )
    response = HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
