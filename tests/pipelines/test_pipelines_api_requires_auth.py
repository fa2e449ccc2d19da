from typing import Any

import pytest
from rest_framework.test import APIClient

ENDPOINTS = [
    ("get", "/api/pipelines/"),
    ("post", "/api/pipelines/"),
    ("get", "/api/pipelines/1/"),
    ("put", "/api/pipelines/1/"),
    ("patch", "/api/pipelines/1/"),
    ("delete", "/api/pipelines/1/"),
    ("get", "/api/pipelines/1/versions/"),
    ("get", "/api/pipelines/1/versions/1/"),
    ("post", "/api/pipelines/validate/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_it_requires_authentication(anon: APIClient, db: Any, method: str, url: str) -> None:
    response = getattr(anon, method)(url, {"graph": {}}, format="json")
    assert response.status_code in (401, 403)
    body = response.json()
    assert set(body) == {"message", "problems"}
    assert body["problems"][0]["code"] == "not_authenticated"


def test_it_refuses_a_wrong_token(db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/pipelines/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "problems"}
