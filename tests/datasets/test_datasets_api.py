"""Datasets are created, listed and read over the API; bad input is a 4xx that names the field."""

from __future__ import annotations

import pytest

from datasets.models import Dataset
from tests.datasets.conftest import IRIS, upload

pytestmark = pytest.mark.django_db


def test_it_creates_a_dataset_and_reads_it_back(api):
    response = api.post("/api/datasets/", {"name": "iris", "description": "flowers"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "iris" and body["kind"] == "dataset" and body["description"] == "flowers"
    assert body["latest_version"] is None and body["version_count"] == 0
    assert body["created_by"] == "alice"
    assert api.get(f"/api/datasets/{body['id']}/").json() == body


def test_a_model_is_a_dataset_of_kind_model(api):
    response = api.post("/api/datasets/", {"name": "iris-model", "kind": "model"}, format="json")

    assert response.status_code == 201
    assert response.json()["kind"] == "model"


def test_names_are_unique_regardless_of_case(api):
    api.post("/api/datasets/", {"name": "Iris"}, format="json")

    response = api.post("/api/datasets/", {"name": "iris"}, format="json")

    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "name"
    assert "already exists" in response.json()["message"]
    assert Dataset.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": ""}, "name"), ({"name": "a/b"}, "name"), ({"name": "x", "kind": "table"}, "kind"), ({}, "name")],
)
def test_bad_input_names_the_field_and_creates_nothing(api, body, field):
    response = api.post("/api/datasets/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["problems"][0]["field"] == field
    assert Dataset.objects.count() == 0


def test_it_lists_with_search_and_kind_filters_and_shows_the_latest_version(api):
    for name, kind in [("iris", "dataset"), ("iris-model", "model"), ("churn", "dataset")]:
        api.post("/api/datasets/", {"name": name, "kind": kind}, format="json")
    iris = Dataset.objects.get(name="iris")
    upload(api, iris.pk, IRIS)

    everything = api.get("/api/datasets/").json()
    assert [d["name"] for d in everything["results"]] == ["churn", "iris", "iris-model"]
    assert [d["name"] for d in api.get("/api/datasets/?search=iri").json()["results"]] == ["iris", "iris-model"]
    assert [d["name"] for d in api.get("/api/datasets/?kind=model").json()["results"]] == ["iris-model"]
    listed = next(d for d in everything["results"] if d["name"] == "iris")
    assert listed["version_count"] == 1 and listed["latest_version"]["number"] == 1


def test_description_can_be_edited(api):
    dataset_id = api.post("/api/datasets/", {"name": "iris"}, format="json").json()["id"]

    response = api.patch(f"/api/datasets/{dataset_id}/", {"description": "now with notes"}, format="json")

    assert response.status_code == 200 and response.json()["description"] == "now with notes"


def test_unknown_datasets_and_versions_are_404(api):
    assert api.get("/api/datasets/999999/").status_code == 404
    dataset_id = api.post("/api/datasets/", {"name": "iris"}, format="json").json()["id"]
    response = api.get(f"/api/datasets/{dataset_id}/versions/7/")
    assert response.status_code == 404
    assert "no version 7" in response.json()["message"]


def test_it_needs_a_signed_in_user(anon):
    assert anon.get("/api/datasets/").status_code == 403
    assert anon.post("/api/datasets/", {"name": "x"}, format="json").status_code == 403
