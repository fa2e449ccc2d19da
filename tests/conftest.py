"""Shared test set-up. The suite runs against real PostgreSQL (make test sets DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import Any, NoReturn

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def skip_or_fail(message: str) -> NoReturn:
    """Skips a test whose prerequisite (Docker, a fetched fixture, a tool) is missing, but fails it
    where the suite must be complete: in CI (CI set) or with STUDIO_REQUIRE_DOCKER set."""
    if os.environ.get("CI") or os.environ.get("STUDIO_REQUIRE_DOCKER"):
        pytest.fail(message)
    pytest.skip(message)


def assert_error_shape(response: Any, status: int | Collection[int], what: str = "") -> dict[str, Any]:
    """The one error shape of the API: a JSON {message, problems} with a status among `status`, a
    message, and at least one problem, each with a code and a message. Returns the body."""
    statuses = {status} if isinstance(status, int) else set(status)
    where = f"{what}: " if what else ""
    assert response.status_code in statuses, f"{where}{response.status_code} {response.content[:500]!r}"
    assert response["Content-Type"].startswith("application/json"), f"{where}{response['Content-Type']}"
    body = response.json()
    assert set(body) == {"message", "problems"}, f"{where}{body}"
    assert isinstance(body["message"], str) and body["message"], f"{where}{body}"
    assert isinstance(body["problems"], list) and body["problems"], f"{where}{body}"
    for problem in body["problems"]:
        assert problem["code"] and problem["message"], f"{where}{body}"
    return body


def pytest_configure(config: pytest.Config) -> None:
    # Password hashing is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine and os.environ.get("STUDIO_TESTS_ALLOW_SQLITE") != "1":
        raise pytest.UsageError(
            f"The tests run against PostgreSQL, but the database engine is {engine}. "
            "Run `make test`, or set DATABASE_URL=postgres://... (STUDIO_TESTS_ALLOW_SQLITE=1 to override)."
        )


@pytest.fixture
def user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(username="alice", password="correct horse battery")


@pytest.fixture
def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    """An API client signed in with a token, as a script would be."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture(autouse=True)
def _settle_before_flush(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A worker started by an earlier test keeps consuming the queue: a transactional test that
    sent tasks without asking for the `worker` fixture (which settles itself) waits for them
    here, or the flush of the test database (TRUNCATE) can deadlock with them."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction") or "worker" in request.fixturenames:
        return
    from tests.engine.conftest import a_worker_is_running, settle

    if a_worker_is_running():
        settle()
