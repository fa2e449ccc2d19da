"""The browser uploads with a session and a CSRF header; the body still streams into the store with the limit."""

from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from datasets.models import Dataset, DatasetVersion
from tests.datasets.conftest import IRIS

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient(enforce_csrf_checks=True)
    assert client.post("/api/auth/login/", {"username": "alice", "password": "correct horse battery"}, format="json").status_code == 200
    client.get("/api/auth/me/")
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client


def _file(content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = "iris.csv"
    return handle


def test_a_session_upload_with_the_csrf_header_works(browser):
    dataset = Dataset.objects.create(name="iris")

    response = browser.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(IRIS)}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["version"]["metadata"]["rows"] == 3


def test_a_session_upload_over_the_limit_is_413(browser, settings):
    settings.DATASET_MAX_BYTES = 100
    dataset = Dataset.objects.create(name="iris")

    response = browser.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(IRIS * 10)}, format="multipart")

    assert response.status_code == 413
    assert DatasetVersion.objects.count() == 0


def test_a_session_upload_without_the_csrf_header_is_refused(user):
    client = APIClient(enforce_csrf_checks=True)
    client.post("/api/auth/login/", {"username": "alice", "password": "correct horse battery"}, format="json")
    dataset = Dataset.objects.create(name="iris")

    response = client.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(IRIS)}, format="multipart")

    assert response.status_code == 403
    assert DatasetVersion.objects.count() == 0
