"""The browser uploads with a session and a CSRF header; the body still streams into the store with the limit.

A session's CSRF check parses the multipart body before the view runs, so a refused upload has already
been received: whatever refuses it (403, 404, 400, 413), nothing of it may stay in the store."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from datasets import store
from datasets.models import Dataset, DatasetVersion
from runs.models import Artifact
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


def _store_files() -> set[Path]:
    """Every file under the store: blobs, temp files of unfinished writes, scratch space."""
    root = store.root()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _unique(content: bytes) -> bytes:
    """Content no earlier session stored (the store outlives test databases)."""
    return content + f"{uuid.uuid4().hex},0,unique\n".encode()


def _nothing_left(before: set[Path], content: bytes) -> None:
    assert _store_files() == before
    assert not store.blob_path(hashlib.sha256(content).hexdigest()).exists()
    assert DatasetVersion.objects.count() == 0 and Artifact.objects.count() == 0


def test_a_session_upload_with_the_csrf_header_works(browser):
    dataset = Dataset.objects.create(name="iris")
    content = _unique(IRIS)  # only this upload can have stored it

    response = browser.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(content)}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["version"]["metadata"]["rows"] == 4
    assert store.read_head(hashlib.sha256(content).hexdigest(), 1000) == content


def test_a_session_upload_over_the_limit_is_413_and_leaves_nothing_behind(browser, settings):
    settings.DATASET_MAX_BYTES = 100
    dataset = Dataset.objects.create(name="iris")
    content = _unique(IRIS * 10 + b"413\n")
    before = _store_files()

    response = browser.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(content)}, format="multipart")

    assert response.status_code == 413
    _nothing_left(before, content)


def test_a_session_upload_without_the_csrf_header_is_refused_and_leaves_nothing_behind(user):
    client = APIClient(enforce_csrf_checks=True)
    client.post("/api/auth/login/", {"username": "alice", "password": "correct horse battery"}, format="json")
    dataset = Dataset.objects.create(name="iris")
    content = _unique(IRIS + b"403,403,refused\n")
    before = _store_files()

    response = client.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(content)}, format="multipart")

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    _nothing_left(before, content)


def test_a_session_upload_to_an_unknown_dataset_is_404_and_leaves_nothing_behind(browser):
    content = _unique(IRIS + b"404,404,unknown\n")
    before = _store_files()

    response = browser.post("/api/datasets/999999/versions/", {"file": _file(content)}, format="multipart")

    assert response.status_code == 404
    _nothing_left(before, content)


def test_a_session_upload_in_the_wrong_field_is_400_and_leaves_nothing_behind(browser):
    dataset = Dataset.objects.create(name="iris")
    content = _unique(IRIS + b"400,400,wrong field\n")
    before = _store_files()

    response = browser.post(f"/api/datasets/{dataset.pk}/versions/", {"attachment": _file(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "file"
    _nothing_left(before, content)


def test_a_session_upload_of_identical_content_leaves_no_second_copy(browser):
    dataset = Dataset.objects.create(name="iris")
    assert browser.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(IRIS)}, format="multipart").status_code == 201
    before = _store_files()

    response = browser.post(f"/api/datasets/{dataset.pk}/versions/", {"file": _file(IRIS)}, format="multipart")

    assert response.status_code == 200 and response.json()["created"] is False
    assert _store_files() == before
