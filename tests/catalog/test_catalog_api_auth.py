"""Every catalog endpoint needs a signed-in user and answers in the one error shape."""

from __future__ import annotations

import pytest

from tests.catalog.catalog_factories import ComponentVersionFactory, spec_yaml

pytestmark = pytest.mark.django_db


def endpoints() -> list[tuple[str, str]]:
    version = ComponentVersionFactory()
    return [
        ("get", "/api/components/"),
        ("get", f"/api/components/{version.component_id}/"),
        ("get", f"/api/component-versions/{version.pk}/"),
        ("post", "/api/components/import/"),
    ]


def test_every_endpoint_refuses_anonymous_requests(anon, row_counts) -> None:  # type: ignore[no-untyped-def]
    for method, url in endpoints():
        before = row_counts()
        response = getattr(anon, method)(url, {"yaml": spec_yaml("Sneaky")} if method == "post" else None, format="json")
        assert response.status_code in (401, 403), url
        body = response.json()
        assert set(body) == {"message", "problems"}, url
        assert body["message"]
        assert body["problems"][0]["code"] == "not_authenticated"
        assert row_counts() == before


def test_a_bad_token_is_refused(anon) -> None:  # type: ignore[no-untyped-def]
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/components/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "problems"}


def test_a_session_user_is_let_in(anon, user) -> None:  # type: ignore[no-untyped-def]
    anon.force_login(user)
    assert anon.get("/api/components/").status_code == 200
