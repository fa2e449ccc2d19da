"""Every rejected write leaves the tables exactly as they were."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from pipelines.models import Pipeline, PipelineVersion
from tests.pipelines.pipeline_factories import document, node, sound_pipeline, source


def _counts() -> tuple[int, int]:
    return Pipeline.objects.count(), PipelineVersion.objects.count()


def _bad_bodies(catalog: Any) -> dict[str, Any]:
    graph, parameters = sound_pipeline(catalog)
    return {
        "cycle": {"name": "New", "graph": document(node("a", catalog.anything, file=source("a", "out"))), "parameters": []},
        "unknown component": {"name": "New", "graph": document(node("a", 999999)), "parameters": []},
        "bad parameter": {"name": "New", "graph": graph, "parameters": [{"name": "trees", "type": "Integer", "default": "many"}]},
        "newer schema": {"name": "New", "graph": {**graph, "schema_version": 99}, "parameters": parameters},
        "taken name": {"name": "existing", "graph": graph, "parameters": parameters},
        "no name": {"graph": graph, "parameters": parameters},
        "no graph": {"name": "New", "parameters": parameters},
        "not an object": ["name", "graph"],
        "NUL in the graph": {"name": "New", "graph": {**graph, "nodes": [{**graph["nodes"][0], "label": "a\x00"}]}},
        "huge id": {"name": "New", "graph": document(node("a", 2**70))},
        "huge description": {"name": "New", "description": "x" * 20_001, "graph": graph, "parameters": parameters},
    }


@pytest.fixture
def existing(api: APIClient, catalog: Any) -> dict[str, Any]:
    graph, parameters = sound_pipeline(catalog)
    response = api.post("/api/pipelines/", {"name": "Existing", "graph": graph, "parameters": parameters}, format="json")
    assert response.status_code == 201
    return response.json()


CASES = [
    "cycle", "unknown component", "bad parameter", "newer schema", "taken name", "no name", "no graph", "not an object",
    "NUL in the graph", "huge id", "huge description",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("verb", ["post", "put"])
def test_it_leaves_no_rows_behind(api: APIClient, catalog: Any, existing: dict[str, Any], case: str, verb: str) -> None:
    body = _bad_bodies(catalog)[case]
    if verb == "put" and case == "taken name":
        other = api.post("/api/pipelines/", {**body, "name": "Other"}, format="json").json()
        url = f"/api/pipelines/{other['id']}/"
    else:
        url = "/api/pipelines/" if verb == "post" else f"/api/pipelines/{existing['id']}/"
    before = _counts()
    send: Callable[..., Any] = getattr(api, verb)
    response = send(url, body, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()) == {"message", "problems"} and response.json()["problems"]
    assert _counts() == before
    assert api.get(f"/api/pipelines/{existing['id']}/").json() == existing


def test_an_overlong_description_is_refused_naming_the_field(api: APIClient, catalog: Any) -> None:
    response = api.post("/api/pipelines/", _bad_bodies(catalog)["huge description"], format="json")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [p.get("field") for p in problems] == ["description"], problems
    assert _counts() == (0, 0)
