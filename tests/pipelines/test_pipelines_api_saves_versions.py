from copy import deepcopy
from typing import Any

from rest_framework.test import APIClient

from tests.pipelines.pipeline_factories import sound_pipeline


def _create(api: APIClient, catalog: Any) -> dict[str, Any]:
    graph, parameters = sound_pipeline(catalog)
    body = {"name": "Iris", "description": "", "graph": graph, "parameters": parameters}
    response = api.post("/api/pipelines/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _put_body(created: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    version = created["latest_version"]
    return {"name": created["name"], "description": created["description"], "graph": deepcopy(version["graph"]),
            "parameters": version["parameters"], **overrides}


def test_it_does_not_version_an_unchanged_put(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    response = api.put(f"/api/pipelines/{created['id']}/", _put_body(created, message="again"), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["version_count"], response.json()["latest_version"]["number"]) == (1, 1)


def test_it_versions_a_changed_put(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    body = _put_body(created, message="more trees")
    body["parameters"] = [{"name": "trees", "type": "Integer", "default": 500}]
    response = api.put(f"/api/pipelines/{created['id']}/", body, format="json")
    assert response.status_code == 200, response.json()
    latest = response.json()["latest_version"]
    assert (response.json()["version_count"], latest["number"], latest["message"], latest["author"]) == (2, 2, "more trees", "alice")


def test_it_patches_only_the_fields_given(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    renamed = api.patch(f"/api/pipelines/{created['id']}/", {"description": "now described"}, format="json")
    assert renamed.status_code == 200, renamed.json()
    assert (renamed.json()["name"], renamed.json()["description"], renamed.json()["version_count"]) == ("Iris", "now described", 1)

    graph = deepcopy(created["latest_version"]["graph"])
    graph["nodes"][0]["label"] = "Load iris"
    moved = api.patch(f"/api/pipelines/{created['id']}/", {"graph": graph}, format="json")
    assert moved.json()["version_count"] == 2
    assert moved.json()["latest_version"]["parameters"] == created["latest_version"]["parameters"]


def test_it_lists_versions_newest_first_and_shows_one(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    for rate in (0.2, 0.3):
        body = _put_body(created, message=f"rate {rate}")
        body["graph"]["nodes"][1]["arguments"]["rate"] = {"value": rate}
        api.put(f"/api/pipelines/{created['id']}/", body, format="json")

    listing = api.get(f"/api/pipelines/{created['id']}/versions/").json()
    assert listing["count"] == 3
    assert [(v["number"], v["message"]) for v in listing["results"]] == [(3, "rate 0.3"), (2, "rate 0.2"), (1, "")]

    one = api.get(f"/api/pipelines/{created['id']}/versions/2/")
    assert one.status_code == 200
    assert one.json()["graph"]["nodes"][1]["arguments"]["rate"] == {"value": 0.2}


def test_it_rejects_taking_another_pipelines_name(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    other = api.post("/api/pipelines/", {**_put_body(created), "name": "Other"}, format="json").json()
    response = api.put(f"/api/pipelines/{other['id']}/", _put_body(other, name="iris"), format="json")
    assert response.status_code == 400
    assert [(p["code"], p["field"]) for p in response.json()["problems"]] == [("unique", "name")]
