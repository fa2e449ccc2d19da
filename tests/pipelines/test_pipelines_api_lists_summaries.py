"""The pipeline list summarises each newest version (number, node count, author) instead of shipping its graph."""

from typing import Any

from rest_framework.test import APIClient

from pipelines.api import PipelineSummarySerializer, PipelineVersionSummarySerializer
from pipelines.models import Pipeline
from tests.pipelines.pipeline_factories import sound_pipeline


def _create(api: APIClient, catalog: Any, name: str) -> dict[str, Any]:
    graph, parameters = sound_pipeline(catalog)
    body = {"name": name, "description": "demo", "graph": graph, "parameters": parameters, "message": "first"}
    response = api.post("/api/pipelines/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_list_item_is_the_detail_with_a_version_summary_instead_of_the_graph(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog, "Iris")
    graph = created["latest_version"]["graph"]
    graph["nodes"] = graph["nodes"][:2]
    saved = api.put(f"/api/pipelines/{created['id']}/", {"name": "Iris", "description": "demo", "graph": graph,
                                                         "parameters": created["latest_version"]["parameters"],
                                                         "message": "two nodes"}, format="json").json()

    [item] = api.get("/api/pipelines/").json()["results"]

    assert set(item) == set(PipelineSummarySerializer().fields)
    assert set(item["latest_version"]) == set(PipelineVersionSummarySerializer().fields)
    assert {k: v for k, v in item.items() if k != "latest_version"} == {k: v for k, v in saved.items() if k != "latest_version"}
    latest = saved["latest_version"]
    assert item["latest_version"] == {
        "id": latest["id"], "number": 2, "node_count": 2, "message": "two nodes", "author": "alice",
        "created_at": latest["created_at"],
    }
    assert item["version_count"] == 2


def test_a_pipeline_without_versions_lists_with_no_latest_version(api: APIClient, catalog: Any) -> None:
    Pipeline.objects.create(name="Empty")

    [item] = api.get("/api/pipelines/").json()["results"]

    assert (item["name"], item["latest_version"], item["version_count"]) == ("Empty", None, 0)
