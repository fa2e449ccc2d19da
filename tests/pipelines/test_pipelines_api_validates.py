from typing import Any

from rest_framework.test import APIClient

from pipelines.models import Pipeline
from tests.pipelines.pipeline_factories import document, node, sound_pipeline, source


def test_it_returns_no_problems_for_a_sound_graph(api: APIClient, catalog: Any) -> None:
    graph, parameters = sound_pipeline(catalog)
    response = api.post("/api/pipelines/validate/", {"graph": graph, "parameters": parameters}, format="json")
    assert response.status_code == 200
    assert response.json() == {"problems": []}


def test_it_returns_every_problem_with_200(api: APIClient, catalog: Any) -> None:
    graph = document(node("train", catalog.train, data=source("load", "table")), node("train", catalog.load))
    response = api.post("/api/pipelines/validate/", {"graph": graph}, format="json")
    assert response.status_code == 200
    assert response.json()["problems"] == [
        {"code": "unknown_node", "message": 'Node "train": input "data" reads from node "load", which does not exist.',
         "node": "train", "port": "data"},
        {"code": "unbound_input", "message": 'Node "train": required input "rate" (Float) is not connected and has no value.',
         "node": "train", "port": "rate"},
        {"code": "duplicate_node",
         "message": 'Node id "train" is used twice (nodes[0] and nodes[1]); node ids must be unique.',
         "node": "train", "field": "nodes[1].id"},
    ]
    assert Pipeline.objects.count() == 0


def test_it_reports_a_graph_that_is_not_an_object_as_a_problem(api: APIClient, db: Any) -> None:
    for graph in ("text", None, [1]):
        response = api.post("/api/pipelines/validate/", {"graph": graph}, format="json")
        assert response.status_code == 200
        assert [p["code"] for p in response.json()["problems"]] == ["invalid_document"]


def test_it_refuses_a_body_without_a_graph(api: APIClient, db: Any) -> None:
    for body in ({"parameters": []}, ["not", "an", "object"]):
        response = api.post("/api/pipelines/validate/", body, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"message", "problems"}
    assert response.json()["problems"][0]["code"] == "invalid"
