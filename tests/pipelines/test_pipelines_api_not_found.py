from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.pipelines.pipeline_factories import sound_pipeline


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/pipelines/999999/"),
        ("put", "/api/pipelines/999999/"),
        ("patch", "/api/pipelines/999999/"),
        ("delete", "/api/pipelines/999999/"),
        ("get", "/api/pipelines/999999/versions/"),
        ("get", "/api/pipelines/999999/versions/1/"),
    ],
)
def test_it_answers_404_in_the_error_shape(api: APIClient, db: Any, method: str, url: str) -> None:
    response = getattr(api, method)(url, {"name": "x", "graph": {"schema_version": 1, "nodes": []}}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "message": "Pipeline 999999 does not exist.",
        "problems": [{"code": "not_found", "message": "Pipeline 999999 does not exist."}],
    }


def test_it_answers_404_for_a_missing_version_number(api: APIClient, catalog: Any) -> None:
    graph, parameters = sound_pipeline(catalog)
    created = api.post("/api/pipelines/", {"name": "Iris", "graph": graph, "parameters": parameters}, format="json").json()
    response = api.get(f"/api/pipelines/{created['id']}/versions/7/")
    assert response.status_code == 404
    assert response.json()["message"] == f"Pipeline {created['id']} has no version 7."


def test_it_leaves_the_runs_path_to_the_runs_app(api: APIClient, db: Any) -> None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve("/api/pipelines/5/runs/")
    except Resolver404:
        return  # not registered yet: nothing of ours answers it either
    assert not match.func.__module__.startswith("pipelines.")
