"""Every 4xx under /api/ is JSON in the one error shape, including paths no endpoint matches."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nope/", "/api/components/abc/", "/api/pipelines/1/nope/", "/api/nope"])
def test_an_unknown_api_path_is_a_json_404(api: APIClient, path: str) -> None:
    body = assert_error_shape(api.get(path), 404)
    assert body["message"].startswith(f"No API endpoint at {path}")
    assert body["problems"] == [{"code": "not_found", "message": body["message"]}]


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed in", "anonymous"])
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_an_unknown_api_path_is_a_404_for_every_method_signed_in_or_not(api: APIClient, anon: APIClient,
                                                                        signed_in: bool, method: str) -> None:
    client = api if signed_in else anon
    assert_error_shape(getattr(client, method)("/api/nope/", {"a": 1}, format="json"), 404)


def test_a_post_without_the_trailing_slash_is_a_404_that_names_the_right_path(api: APIClient) -> None:
    # Not Django's APPEND_SLASH: a RuntimeError (500) under DEBUG for a POST, an HTML 301 without.
    response = api.post("/api/pipelines", {"name": "x"}, format="json")
    body = assert_error_shape(response, 404)
    assert "/api/pipelines/" in body["message"]
    assert "end with a slash" in body["message"]
    # Only when the slashed path is an endpoint.
    assert "slash" not in assert_error_shape(api.post("/api/nope", {}, format="json"), 404)["message"]


def test_a_wrong_method_is_a_405_in_the_error_shape(api: APIClient) -> None:
    body = assert_error_shape(api.delete("/api/components/"), 405)
    assert "DELETE" in body["message"]
    assert body["problems"][0]["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(api: APIClient) -> None:
    body = assert_error_shape(api.post("/api/pipelines/", "{bad", content_type="application/json"), 400)
    assert "JSON parse error" in body["message"]
    assert body["problems"][0]["code"] == "parse_error"


def test_an_unsupported_media_type_is_a_415_in_the_error_shape(api: APIClient) -> None:
    body = assert_error_shape(api.post("/api/pipelines/", "name: x", content_type="application/yaml"), 415)
    assert "application/yaml" in body["message"]
    assert body["problems"][0]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "path",
    [
        "/api/components/999999/",
        "/api/component-versions/999999/",
        "/api/pipelines/999999/",
        "/api/pipelines/999999/versions/",
        "/api/runs/999999/",
        "/api/runs/999999/steps/train/logs/",
        "/api/artifacts/999999/",
        "/api/datasets/999999/",
        "/api/schedules/999999/",
        "/api/dataset-triggers/999999/",
        "/api/metric-triggers/999999/",
    ],
)
def test_a_missing_object_is_a_404_with_one_not_found_problem_in_every_app(api: APIClient, path: str) -> None:
    body = assert_error_shape(api.get(path), 404)
    assert [p["code"] for p in body["problems"]] == ["not_found"], body
    assert body["message"] != "Not found.", "a 404 names what was not found"
