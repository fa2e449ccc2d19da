from typing import Any

from rest_framework.test import APIClient

from tests.pipelines.pipeline_factories import sound_pipeline


def _body(catalog: Any, **overrides: Any) -> dict[str, Any]:
    graph, parameters = sound_pipeline(catalog)
    return {"name": "Iris", "description": "demo", "graph": graph, "parameters": parameters, "message": "first", **overrides}


def test_it_creates_a_pipeline_with_its_first_version(api: APIClient, catalog: Any) -> None:
    response = api.post("/api/pipelines/", _body(catalog), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "name", "description", "latest_version", "version_count", "created_at", "updated_at"}
    assert (body["name"], body["description"], body["version_count"]) == ("Iris", "demo", 1)
    version = body["latest_version"]
    assert set(version) == {"id", "pipeline", "number", "graph", "parameters", "message", "author", "created_at"}
    assert (version["pipeline"], version["number"], version["message"], version["author"]) == (body["id"], 1, "first", "alice")
    assert version["parameters"] == [{"name": "trees", "type": "Integer", "default": 100, "description": ""}]
    assert [n["id"] for n in version["graph"]["nodes"]] == ["load", "train", "evaluate"]


def test_it_defaults_description_parameters_and_message(api: APIClient, catalog: Any) -> None:
    graph, _ = sound_pipeline(catalog)
    graph["nodes"][1]["arguments"]["n_estimators"] = {"value": 10}
    response = api.post("/api/pipelines/", {"name": "Bare", "graph": graph}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["latest_version"]["parameters"] == []


def test_it_shows_one_pipeline(api: APIClient, catalog: Any) -> None:
    created = api.post("/api/pipelines/", _body(catalog), format="json").json()
    response = api.get(f"/api/pipelines/{created['id']}/")
    assert response.status_code == 200
    assert response.json() == created


def test_it_lists_pipelines_paginated_and_searchable(api: APIClient, catalog: Any) -> None:
    for name in ["Churn model", "Iris", "Wine quality", "Iris tuned"]:
        assert api.post("/api/pipelines/", _body(catalog, name=name), format="json").status_code == 201

    page = api.get("/api/pipelines/", {"page_size": 3}).json()
    assert page["count"] == 4 and page["next"] and page["previous"] is None
    assert [p["name"] for p in page["results"]] == ["Churn model", "Iris", "Iris tuned"]
    assert all(p["latest_version"]["number"] == 1 and p["version_count"] == 1 for p in page["results"])

    found = api.get("/api/pipelines/", {"search": "iRiS"}).json()
    assert [p["name"] for p in found["results"]] == ["Iris", "Iris tuned"]


def test_it_lists_without_a_query_per_pipeline(api: APIClient, catalog: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(6):
        api.post("/api/pipelines/", _body(catalog, name=f"P{i}"), format="json")
    # auth + count + page + latest versions (with authors), however many pipelines
    with django_assert_max_num_queries(5):
        response = api.get("/api/pipelines/")
    assert len(response.json()["results"]) == 6
