"""Versions stored elsewhere are registered by URI (s3, hdfs, file), optionally with a checksum."""

from __future__ import annotations

import pytest

from datasets.models import DatasetVersion
from runs.models import Artifact

pytestmark = pytest.mark.django_db

SHA = "ab" * 32


@pytest.fixture
def iris(api):
    return api.post("/api/datasets/", {"name": "iris"}, format="json").json()["id"]


def register(api, dataset_id, **body):
    return api.post(f"/api/datasets/{dataset_id}/versions/", body, format="json")


@pytest.mark.parametrize("uri", ["s3://bucket/data/iris.csv", "hdfs://namenode:8020/data/iris.csv", "hdfs:///data/iris.csv",
                                 "file:///srv/data/iris.csv", "S3://bucket/x.csv"])
def test_it_registers_a_version_by_reference(api, iris, uri):
    response = register(api, iris, uri=uri, checksum=f"sha256:{SHA}", message="nightly export")

    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert version["uri"].lower() == uri.lower() and version["external"] is True
    assert version["sha256"] == SHA and version["size"] is None and version["artifact"] is None
    assert Artifact.objects.count() == 0


def test_the_same_uri_and_checksum_again_adds_no_version(api, iris):
    first = register(api, iris, uri="s3://bucket/iris.csv", checksum=SHA).json()["version"]

    again = register(api, iris, uri="s3://bucket/iris.csv", checksum=f"sha256:{SHA.upper()}")

    assert again.status_code == 200 and again.json() == {"created": False, "version": first}


def test_without_a_checksum_every_registration_is_a_new_version(api, iris):
    register(api, iris, uri="s3://bucket/latest.csv")

    response = register(api, iris, uri="s3://bucket/latest.csv")

    assert response.status_code == 201 and response.json()["version"]["number"] == 2


def test_an_external_version_cannot_be_downloaded_here(api, iris):
    register(api, iris, uri="s3://bucket/iris.csv")

    response = api.get(f"/api/datasets/{iris}/versions/1/download/")

    assert response.status_code == 409
    assert "s3://bucket/iris.csv" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ({"uri": "ftp://host/iris.csv"}, "unsupported_uri_scheme", "scheme 'ftp://' is not supported"),
        ({"uri": "https://example.com/iris.csv"}, "unsupported_uri_scheme", "use s3://, hdfs://, file://"),
        ({"uri": "store://sha256/" + SHA}, "unsupported_uri_scheme", "created by uploads"),
        ({"uri": "iris.csv"}, "invalid_uri", "is not a URI"),
        ({"uri": "s3://bucket"}, "invalid_uri", "needs a bucket and a key"),
        ({"uri": "file://relative/iris.csv"}, "invalid_uri", "absolute path"),
        ({"uri": "s3://bucket/a b.csv"}, "invalid_uri", "without spaces"),
        ({"uri": ""}, "required", "send the location"),
        ({"uri": "s3://bucket/iris.csv", "checksum": "md5:abc"}, "invalid_checksum", "sha256"),
    ],
)
def test_bad_uris_and_checksums_are_400_naming_the_problem_and_nothing_is_created(api, iris, body, code, fragment):
    response = register(api, iris, **body)

    assert response.status_code == 400, response.json()
    problem = response.json()["problems"][0]
    assert problem["code"] == code
    assert fragment in problem["message"]
    assert problem["field"] == ("checksum" if code == "invalid_checksum" else "uri")
    assert DatasetVersion.objects.count() == 0


def test_json_without_a_uri_is_400(api, iris):
    response = api.post(f"/api/datasets/{iris}/versions/", {"checksum": SHA}, format="json")

    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "uri"
