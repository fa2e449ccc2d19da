"""Uploading versions: streamed into the store, numbered, described, deduplicated, size-limited."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest

from datasets import store
from datasets.models import DatasetVersion
from runs.models import Artifact
from tests.datasets.conftest import IRIS, IRIS_V2, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def iris(api):
    return api.post("/api/datasets/", {"name": "iris"}, format="json").json()["id"]


def test_an_upload_becomes_version_1_with_hash_size_and_a_table_preview(api, iris):
    response = upload(api, iris, IRIS, "iris.csv", message="first cut")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] is True
    version = body["version"]
    assert version["number"] == 1
    assert version["sha256"] == hashlib.sha256(IRIS).hexdigest()
    assert version["size"] == len(IRIS)
    assert version["uri"] == f"store://sha256/{version['sha256']}"
    assert version["media_type"] == "text/csv" and version["filename"] == "iris.csv"
    assert version["message"] == "first cut" and version["created_by"] == "alice"
    assert version["external"] is False and version["produced_by"] is None
    assert version["metadata"]["rows"] == 3
    assert version["metadata"]["columns"] == ["sepal_length", "sepal_width", "species"]
    assert version["metadata"]["preview"]["rows"][0] == ["5.1", "3.5", "setosa"]
    assert version["preview"] == {"kind": "table", "columns": ["sepal_length", "sepal_width", "species"],
                                  "rows": [["5.1", "3.5", "setosa"], ["4.9", "3.0", "setosa"], ["6.3", "3.3", "virginica"]],
                                  "total_rows": 3}
    assert store.read_head(version["sha256"], 1000) == IRIS


def test_identical_content_adds_no_version(api, iris):
    first = upload(api, iris, IRIS).json()["version"]

    again = upload(api, iris, IRIS, "renamed.csv")

    assert again.status_code == 200
    assert again.json() == {"created": False, "version": first}
    assert DatasetVersion.objects.count() == 1
    assert Artifact.objects.count() == 1


def test_changed_content_is_the_next_version_and_versions_list_newest_first(api, iris):
    upload(api, iris, IRIS)

    response = upload(api, iris, IRIS_V2)

    assert response.status_code == 201 and response.json()["version"]["number"] == 2
    listed = api.get(f"/api/datasets/{iris}/versions/").json()
    assert [v["number"] for v in listed["results"]] == [2, 1]
    assert api.get(f"/api/datasets/{iris}/").json()["latest_version"]["number"] == 2
    assert api.get(f"/api/datasets/{iris}/versions/1/").json()["sha256"] == hashlib.sha256(IRIS).hexdigest()


def test_going_back_to_older_content_is_a_new_version(api, iris):
    upload(api, iris, IRIS)
    upload(api, iris, IRIS_V2)

    response = upload(api, iris, IRIS)

    assert response.status_code == 201 and response.json()["version"]["number"] == 3


def test_a_raw_body_upload_works_too(api, iris):
    response = api.generic("POST", f"/api/datasets/{iris}/versions/?filename=iris.csv", IRIS, content_type="application/octet-stream")

    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert version["filename"] == "iris.csv" and version["media_type"] == "text/csv" and version["metadata"]["rows"] == 3


def test_a_raw_text_csv_body_is_tabular_without_a_filename(api, iris):
    response = api.generic("POST", f"/api/datasets/{iris}/versions/", IRIS, content_type="text/csv")

    assert response.status_code == 201
    assert response.json()["version"]["metadata"]["columns"][0] == "sepal_length"


def test_binary_content_gets_no_table(api, iris):
    response = upload(api, iris, bytes(range(256)) * 10, "weights.bin")

    version = response.json()["version"]
    assert version["media_type"] == "application/octet-stream"
    assert version["metadata"] == {} and version["preview"] is None


def test_download_returns_the_bytes(api, iris):
    upload(api, iris, IRIS, "iris.csv")

    response = api.get(f"/api/datasets/{iris}/versions/1/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == IRIS
    assert "iris.csv" in response["Content-Disposition"]


def _tmp_files():
    directory = store.root() / "tmp"
    return set(directory.iterdir()) if directory.exists() else set()


@pytest.mark.parametrize("mode", ["multipart", "raw"])
def test_an_upload_over_the_limit_is_413_and_leaves_nothing_behind(api, iris, settings, mode):
    settings.DATASET_MAX_BYTES = 1000
    before = _tmp_files()
    content = b"x" * 5000
    if mode == "multipart":
        response = upload(api, iris, content, "big.csv")
    else:
        response = api.generic("POST", f"/api/datasets/{iris}/versions/", content, content_type="application/octet-stream")

    assert response.status_code == 413, response.json()
    assert "limit is 1,000 bytes" in response.json()["message"]
    assert response.json()["problems"][0]["code"] == "too_large"
    assert DatasetVersion.objects.count() == 0 and Artifact.objects.count() == 0
    assert _tmp_files() == before
    assert not store.blob_path(hashlib.sha256(content).hexdigest()).exists()


def test_a_multipart_file_is_stopped_while_streaming_once_it_passes_the_limit(api, iris, settings):
    """The body is within the multipart slack, so only the streaming handler can refuse it."""
    settings.DATASET_MAX_BYTES = 3000
    before = _tmp_files()

    response = upload(api, iris, b"y" * 3500, "big.csv")

    assert response.status_code == 413
    assert DatasetVersion.objects.count() == 0
    assert _tmp_files() == before


def test_a_request_without_a_file_is_400(api, iris):
    response = api.post(f"/api/datasets/{iris}/versions/", {"message": "no file"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "file"
    assert DatasetVersion.objects.count() == 0


def test_only_the_field_named_file_is_stored(api, iris):
    other = io.BytesIO(b"not this")
    other.name = "other.csv"
    response = api.post(f"/api/datasets/{iris}/versions/", {"attachment": other}, format="multipart")

    assert response.status_code == 400
    assert DatasetVersion.objects.count() == 0


def test_uploading_to_an_unknown_dataset_is_404(api):
    assert upload(api, 999999, IRIS).status_code == 404


def test_a_form_encoded_body_is_refused_rather_than_mangled(api, iris):
    response = api.generic("POST", f"/api/datasets/{iris}/versions/", b"a=1&b=2", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json()["problems"][0]["code"] == "unsupported_media_type"
    assert DatasetVersion.objects.count() == 0


@pytest.mark.parametrize("mode", ["multipart", "raw"])
def test_an_upload_to_an_unknown_dataset_is_404_and_leaves_nothing_behind(api, mode):
    content = IRIS + f"{uuid.uuid4().hex},no,such dataset\n".encode()
    before = _tmp_files()
    if mode == "multipart":
        response = upload(api, 999999, content)
    else:
        response = api.generic("POST", "/api/datasets/999999/versions/", content, content_type="text/csv")

    assert response.status_code == 404
    assert DatasetVersion.objects.count() == 0 and Artifact.objects.count() == 0
    assert _tmp_files() == before
    assert not store.blob_path(hashlib.sha256(content).hexdigest()).exists()


def test_a_raw_upload_enters_the_store_only_with_its_version(api, iris):
    content = IRIS + f"{uuid.uuid4().hex},raw,raw\n".encode()  # no earlier session stored it
    before = _tmp_files()

    response = api.generic("POST", f"/api/datasets/{iris}/versions/", content, content_type="text/csv")

    assert response.status_code == 201
    assert store.read_head(hashlib.sha256(content).hexdigest(), 1000) == content
    assert _tmp_files() == before  # no temp file of the upload left behind
