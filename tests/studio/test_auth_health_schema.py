"""Sign-in (session and token), health, the OpenAPI schema and the editor's index page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_good_credentials_and_works(anon, user):
    response = anon.post("/api/auth/token/", {"username": "alice", "password": "correct horse battery"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/components/").status_code == 200


def test_bad_credentials_are_a_400_in_the_error_shape(anon, user):
    response = anon.post("/api/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Unable to sign in with the username and password given.",
        "problems": [{"code": "invalid_credentials", "message": "Wrong username or password.", "field": "password"}],
    }
    missing = anon.post("/api/auth/token/", {}, format="json")
    assert missing.status_code == 400
    assert {p["field"] for p in missing.json()["problems"]} == {"username", "password"}


def test_a_browser_signs_in_with_a_session_and_out_again(user):
    browser = APIClient(enforce_csrf_checks=True)
    me = browser.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json() == {"authenticated": False, "id": None, "username": None, "is_staff": False}
    assert "csrftoken" in me.cookies

    login = browser.post("/api/auth/login/", {"username": "alice", "password": "correct horse battery"}, format="json")
    assert login.status_code == 200
    assert browser.get("/api/auth/me/").json()["username"] == "alice"
    assert browser.get("/api/pipelines/").status_code == 200
    # Unsafe requests with a session need the CSRF token.
    csrf = browser.cookies["csrftoken"].value
    refused = browser.post("/api/pipelines/validate/", {"graph": {"schema_version": 1, "nodes": []}}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]
    accepted = browser.post("/api/pipelines/validate/", {"graph": {"schema_version": 1, "nodes": []}}, format="json",
                            HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200

    browser.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert browser.get("/api/auth/me/").json()["authenticated"] is False
    assert browser.get("/api/pipelines/").status_code == 403


def test_health_needs_no_sign_in_and_reports_each_part(anon):
    response = anon.get("/api/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert set(body) == {"status", "database", "broker", "docker"}
    assert body["broker"]["ok"] is True


def test_unknown_api_paths_are_404s(api):
    response = api.get("/api/pipelines/987654/")
    assert response.status_code == 404
    assert response.json()["message"]


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for path in ["/api/components/", "/api/pipelines/validate/", "/api/runs/{id}/abort/", "/api/health/"]:
        assert path + ":" in text


def test_the_api_docs_page_is_served_locally(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"cdn.jsdelivr" not in response.content


def test_browser_routes_get_the_editor_page(anon):
    for path in ["/", "/pipelines/3", "/runs/12"]:
        response = anon.get(path)
        assert response.status_code == 200
        assert b"Pipeline Studio" in response.content or b"<div id=\"root\"" in response.content
