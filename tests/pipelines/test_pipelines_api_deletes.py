from typing import Any

from rest_framework.test import APIClient

from pipelines.models import Pipeline, PipelineVersion
from runs.models import Run, RunStatus
from tests.pipelines.pipeline_factories import sound_pipeline


def _create(api: APIClient, catalog: Any, name: str = "Iris") -> dict[str, Any]:
    graph, parameters = sound_pipeline(catalog)
    return api.post("/api/pipelines/", {"name": name, "graph": graph, "parameters": parameters}, format="json").json()


def test_it_deletes_a_pipeline_with_its_versions(api: APIClient, catalog: Any) -> None:
    doomed, kept = _create(api, catalog), _create(api, catalog, name="Kept")
    response = api.delete(f"/api/pipelines/{doomed['id']}/")
    assert response.status_code == 204
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Kept"]
    assert list(PipelineVersion.objects.values_list("pipeline_id", flat=True)) == [kept["id"]]
    assert api.get(f"/api/pipelines/{doomed['id']}/").status_code == 404


def test_it_deletes_finished_runs_with_the_pipeline(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    version = PipelineVersion.objects.get(pipeline_id=created["id"])
    Run.objects.create(pipeline_id=created["id"], pipeline_version=version, status=RunStatus.COMPLETED)
    assert api.delete(f"/api/pipelines/{created['id']}/").status_code == 204
    assert Run.objects.count() == 0


def test_it_refuses_while_a_run_is_unfinished(api: APIClient, catalog: Any) -> None:
    created = _create(api, catalog)
    version = PipelineVersion.objects.get(pipeline_id=created["id"])
    Run.objects.create(pipeline_id=created["id"], pipeline_version=version, status=RunStatus.RUNNING)
    response = api.delete(f"/api/pipelines/{created['id']}/")
    assert response.status_code == 409
    assert response.json()["problems"][0]["code"] == "has_active_runs"
    assert (Pipeline.objects.count(), PipelineVersion.objects.count(), Run.objects.count()) == (1, 1, 1)
