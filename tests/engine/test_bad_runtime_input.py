"""Bad runtime input gives a 4xx naming the problem, and creates nothing."""

from __future__ import annotations

import pytest

from runs.models import Run, StepRun
from tests.engine.conftest import make_pipeline, node

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_params(shell_component):
    return make_pipeline("params", [node("a", shell_component, "print(1)")], parameters=[
        {"name": "trees", "type": "Integer", "default": 100},
        {"name": "label", "type": "String"},
    ])


def test_an_unknown_pipeline_is_404(api):
    response = api.post("/api/pipelines/999999/runs/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["message"]


def test_a_parameter_of_the_wrong_type_is_rejected(api, with_params):
    response = api.post(f"/api/pipelines/{with_params.pk}/runs/", {"parameters": {"trees": "many", "label": "x"}}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["problems"][0]["code"] == "parameter_type"
    assert body["problems"][0]["field"] == "parameters.trees"
    assert "trees" in body["message"] and "integer" in body["message"]
    assert Run.objects.count() == 0 and StepRun.objects.count() == 0


def test_a_missing_required_parameter_is_rejected(api, with_params):
    response = api.post(f"/api/pipelines/{with_params.pk}/runs/", {"parameters": {}}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"code": "missing_parameter", "message": "parameter 'label' is required", "field": "parameters.label"}
    ]
    assert Run.objects.count() == 0


def test_an_unknown_parameter_is_rejected(api, with_params):
    response = api.post(f"/api/pipelines/{with_params.pk}/runs/", {"parameters": {"label": "x", "tres": 3}}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["code"] == "unknown_parameter"
    assert Run.objects.count() == 0


def test_defaults_fill_in_and_strings_are_coerced(api, with_params):
    response = api.post(f"/api/pipelines/{with_params.pk}/runs/", {"parameters": {"label": "x", "trees": "7"}}, format="json")
    assert response.status_code == 201
    assert response.json()["parameters"] == {"trees": 7, "label": "x"}
    run = Run.objects.get()
    run.delete()


def test_an_unknown_version_is_404(api, with_params):
    response = api.post(f"/api/pipelines/{with_params.pk}/runs/", {"parameters": {"label": "x"}, "version": 7}, format="json")
    assert response.status_code == 404
    assert "no version 7" in response.json()["message"]


def test_run_endpoints_require_authentication(anon, with_params):
    assert anon.post(f"/api/pipelines/{with_params.pk}/runs/", {}, format="json").status_code in (401, 403)
    for path in ["/api/runs/", "/api/runs/1/", "/api/artifacts/1/", "/api/runs/1/steps/a/logs/"]:
        response = anon.get(path)
        assert response.status_code in (401, 403), path
        assert "message" in response.json()
