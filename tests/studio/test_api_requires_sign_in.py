"""Every endpoint under /api/ but health and sign-in refuses anonymous requests in the error shape.

The walk covers every URL pattern Django knows under api/, so an endpoint added later
is checked without anyone remembering to list it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.conftest import assert_error_shape

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# (url name, method) pairs that answer without sign-in, by design. Everything else must refuse.
ANONYMOUS_BY_DESIGN = {
    ("health", "GET"),  # liveness for load balancers and compose; reveals only up/down
    *(("health", m) for m in METHODS[1:]),  # 405: same view, no data
    # Sign-in itself cannot require sign-in: username + password -> token (POST), 405 otherwise.
    *(("auth-token", m) for m in METHODS),
    *(("auth-login", m) for m in METHODS),  # username + password -> session
    *(("auth-logout", m) for m in METHODS),  # ending a session that may not exist is harmless
    *(("auth-me", m) for m in METHODS),  # "who am I": 200 {authenticated: false} for the editor's first request
    ("docs", "GET"),  # a browser page: redirects to sign in (tested below), other methods still refuse
    *(("api-not-found", m) for m in METHODS),  # the catch-all: a JSON 404 for paths no endpoint matches
}

SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _concrete(route: str) -> str:
    """`runs/<int:pk>/steps/<str:node>/logs/` -> `runs/1/steps/x/logs/`."""
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGUMENTS[m.group(1) or "str"], route)
    if route in {"^.*$", "^(?P<path>.*)$"}:
        return "nope/"  # the catch-all
    assert not any(c in route for c in "^$()[]?*+\\"), f"add a sample for the regex route {route!r}"
    return route


def _api_patterns() -> Iterator[tuple[str, str]]:
    """(url name, path) for every pattern under api/."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + _concrete(route))
            elif isinstance(pattern, URLPattern):
                yield pattern.name or route, prefix + _concrete(route)

    (api,) = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/"]
    yield from walk(api.url_patterns, "/api/")


ENDPOINTS = sorted(set(_api_patterns()))
REFUSING = [(method, name, path) for name, path in ENDPOINTS for method in METHODS
            if (name, method) not in ANONYMOUS_BY_DESIGN]


def test_the_walk_finds_every_part_of_the_api() -> None:
    names = {name for name, _ in ENDPOINTS}
    assert {"health", "schema", "docs", "component-list", "pipeline-list", "run-detail", "dataset-list",
            "schedule-list", "api-not-found"} <= names
    assert len(ENDPOINTS) > 30


def test_every_exception_is_still_an_endpoint_and_answers_without_error(anon: APIClient) -> None:
    paths = dict(ENDPOINTS)
    for name, method in sorted(ANONYMOUS_BY_DESIGN):
        assert name in paths, f"{name} is allowed anonymous access but no longer exists: drop it from the list"
        response = anon.generic(method, paths[name], "{}", content_type="application/json")
        assert response.status_code < 500, f"{method} {paths[name]}: {response.status_code}"
        if response.status_code >= 400:
            assert_error_shape(response, response.status_code, f"{method} {paths[name]}")


@pytest.mark.parametrize(("method", "name", "path"), REFUSING, ids=[f"{m}-{n}" for m, n, _ in REFUSING])
def test_an_anonymous_request_is_refused_in_the_error_shape(anon: APIClient, method: str, name: str, path: str) -> None:
    response = anon.generic(method, path, "{}", content_type="application/json")
    body = assert_error_shape(response, {401, 403}, f"{method} {path}")
    assert body["problems"][0]["code"] == "not_authenticated", f"{method} {path}: {body}"


def test_the_schema_needs_sign_in(anon: APIClient, api: APIClient) -> None:
    refused = anon.get("/api/schema/")
    assert refused.status_code == 403
    assert refused.json()["problems"][0]["code"] == "not_authenticated"
    assert api.get("/api/schema/").status_code == 200


def test_a_browser_opening_the_docs_signs_in_and_comes_back(user: Any) -> None:
    browser = APIClient()
    response = browser.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"

    page = browser.get(response["Location"])
    assert page.status_code == 200
    assert b'name="next" value="/api/docs/"' in page.content

    # Not only staff: the admin's own login would turn alice away.
    assert not user.is_staff
    signed_in = browser.post(response["Location"], {"username": "alice", "password": "correct horse battery",
                                                    "next": "/api/docs/"})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/api/docs/"
    docs = browser.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert browser.get("/api/schema/").status_code == 200


def test_a_wrong_password_on_the_sign_in_page_stays_there_and_says_so(user: Any) -> None:
    browser = APIClient()
    page = browser.post("/accounts/login/?next=/api/docs/", {"username": "alice", "password": "nope", "next": "/api/docs/"})
    assert page.status_code == 200
    assert b"correct username and password" in page.content
    assert browser.get("/api/docs/").status_code == 302
