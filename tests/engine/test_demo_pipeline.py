"""The demo pipeline (load → split → train → evaluate) runs end to end in the scientific image."""

from __future__ import annotations

import pytest
from django.conf import settings

from pipelines.examples import examples_load
from runs.models import Artifact
from tests.engine.conftest import wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker, pytest.mark.slow]


def test_the_demo_pipeline_completes_with_metrics_confusion_matrix_and_roc(api, worker):
    [(pipeline, created)] = examples_load(library_dir=settings.COMPONENT_LIBRARY_DIR)
    assert created

    response = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {"parameters": {"trees": 25}}, format="json")
    assert response.status_code == 201, response.json()
    run = wait_for_run(response.json()["id"], timeout=240)

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    outputs = {(a.step.node_id, a.name): a for a in Artifact.objects.filter(run=run).select_related("step")}
    metrics = next(a for (node, name), a in outputs.items() if a.type == "Metrics" and node == "evaluate")
    assert metrics.preview["kind"] == "metrics"
    assert 0.8 <= metrics.preview["values"]["accuracy"] <= 1.0
    matrix = next(a for a in outputs.values() if a.type == "ConfusionMatrix")
    assert matrix.preview["kind"] == "confusion_matrix"
    assert sorted(matrix.preview["labels"]) == ["setosa", "versicolor", "virginica"]
    assert sum(map(sum, matrix.preview["matrix"])) == 30
    roc = next(a for a in outputs.values() if a.type == "ROC")
    assert roc.preview["kind"] == "roc" and len(roc.preview["curves"]) == 3
    table = next(a for a in outputs.values() if a.type == "Dataset")
    assert table.preview["kind"] == "table" and "target" in table.preview["columns"]
    assert api.get(f"/api/artifacts/{matrix.pk}/download/").status_code == 200
    step = run.steps.get(node_id="train")
    assert step.peak_memory_bytes and step.peak_memory_bytes > 1024 * 1024
    assert step.cpu_seconds and step.cpu_seconds > 0
