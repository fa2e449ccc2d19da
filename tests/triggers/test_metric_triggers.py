"""A completed run whose metric crosses a threshold starts the target pipeline, once per source run."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from runs.models import Artifact, Run, StepRun
from tests.engine.conftest import make_component, make_pipeline, node, wait_for_run
from tests.triggers.conftest import EVALUATE, runs_of, wait_until
from triggers import services
from triggers.models import MetricTrigger, MetricTriggerFiring


@pytest.fixture
def pipelines(db, shell_component):  # type: ignore[no-untyped-def]
    evaluate = make_component("evaluate", EVALUATE)
    monitor = make_pipeline(
        "monitor",
        [{"id": "evaluate", "component_version": evaluate.pk, "position": {"x": 0, "y": 0},
          "arguments": {"accuracy": {"parameter": "accuracy"}}}],
        parameters=[{"name": "accuracy", "type": "Float", "default": 0.95}],
    )
    retrain = make_pipeline("retrain", [node("fit", shell_component, "import sys; open(sys.argv[1], 'w').write('fit')")],
                            parameters=[{"name": "reason", "type": "String", "default": "manual"}])
    return {"monitor": monitor, "retrain": retrain}


def create(api, pipelines, **body):  # type: ignore[no-untyped-def]
    payload = {"source_pipeline": pipelines["monitor"].pk, "metric": "evaluate.metrics.accuracy", "comparison": "<",
               "threshold": 0.9, "target_pipeline": pipelines["retrain"].pk, **body}
    return api.post("/api/metric-triggers/", payload, format="json")


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_metric_under_its_threshold_starts_the_target_once(api, worker, pipelines):
    created = create(api, pipelines, parameters={"reason": "accuracy dropped"}, name="retrain when accuracy drops")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["node"], body["output"], body["key"], body["metric"]) == ("evaluate", "metrics", "accuracy", "evaluate.metrics.accuracy")
    monitor, retrain = pipelines["monitor"], pipelines["retrain"]

    healthy = wait_for_run(api.post(f"/api/pipelines/{monitor.pk}/runs/", {}, format="json").json()["id"])
    assert healthy.status == "completed"
    firing = wait_until(lambda: MetricTriggerFiring.objects.filter(source_run=healthy).first(), timeout=30)
    assert firing.status == "not_met" and firing.value == 0.95 and firing.run is None

    degraded_id = api.post(f"/api/pipelines/{monitor.pk}/runs/", {"parameters": {"accuracy": 0.7}}, format="json").json()["id"]
    assert wait_for_run(degraded_id).status == "completed"
    triggered = wait_for_run(wait_until(lambda: runs_of(retrain), timeout=30)[0].pk)

    assert triggered.status == "completed"
    assert triggered.trigger_kind == "metric"
    assert triggered.trigger == {"metric_trigger": body["id"], "source_run": degraded_id, "source_pipeline": monitor.pk,
                                 "metric": "evaluate.metrics.accuracy", "value": 0.7, "comparison": "<", "threshold": 0.9}
    assert triggered.parameters == {"reason": "accuracy dropped"}
    shown = api.get(f"/api/runs/{triggered.pk}/").json()["trigger"]
    assert shown["kind"] == "metric" and shown["source_run"] == degraded_id

    # The run-finished event again, through the broker and by hand: still one target run.
    from studio.celery import app

    app.send_task("triggers.run_finished", args=[degraded_id])
    assert services.run_finished(run_id=degraded_id) == []
    time.sleep(2)
    assert len(runs_of(retrain)) == 1
    firings = api.get(f"/api/metric-triggers/{body['id']}/firings/").json()["results"]
    assert [(f["source_run"], f["status"], f["value"]) for f in firings] == [(degraded_id, "started", 0.7), (healthy.pk, "not_met", 0.95)]


def _completed_run(pipeline, accuracy: float, metrics_json: bytes | None = None) -> Run:  # type: ignore[no-untyped-def]
    """A finished run of the monitor with a metrics artifact, without Docker."""
    from datasets import store
    from runs.services import run_create

    run = run_create(pipeline=pipeline, parameters={"accuracy": accuracy})
    Run.objects.filter(pk=run.pk).update(status="completed")
    step = run.steps.get()
    StepRun.objects.filter(pk=step.pk).update(status="completed")
    blob = store.put_bytes(metrics_json if metrics_json is not None else f'{{"accuracy": {accuracy}}}'.encode())
    Artifact.objects.create(run=run, step=step, name="metrics", type="Metrics", sha256=blob.sha256, uri=blob.uri, size=blob.size)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
@pytest.mark.parametrize(("comparison", "threshold", "fires"), [("<", 0.8, True), ("<=", 0.75, True), (">", 0.75, False), (">=", 0.75, True), ("<", 0.75, False)])
def test_each_comparison(api, pipelines, comparison, threshold, fires):
    create(api, pipelines, comparison=comparison, threshold=threshold)

    services.run_finished(run_id=_completed_run(pipelines["monitor"], 0.75).pk)

    assert Run.objects.filter(pipeline=pipelines["retrain"]).exists() is fires


@pytest.mark.django_db
def test_kubeflow_metrics_files_are_understood(api, pipelines):
    create(api, pipelines)
    kfp = b'{"metrics": [{"name": "accuracy", "numberValue": 0.5, "format": "RAW"}]}'

    services.run_finished(run_id=_completed_run(pipelines["monitor"], 0.5, kfp).pk)

    assert MetricTriggerFiring.objects.get().status == "started"


@pytest.mark.django_db
def test_a_missing_metric_is_recorded_as_a_failed_evaluation(api, pipelines):
    create(api, pipelines)

    services.run_finished(run_id=_completed_run(pipelines["monitor"], 0.5, b'{"loss": 0.1}').pk)

    firing = MetricTriggerFiring.objects.get()
    assert firing.status == "failed" and "no numeric value 'accuracy'" in firing.detail
    assert not Run.objects.filter(pipeline=pipelines["retrain"]).exists()


@pytest.mark.django_db
def test_a_lost_run_finished_event_is_recovered_by_the_tick(api, pipelines):
    create(api, pipelines)
    run = _completed_run(pipelines["monitor"], 0.5)
    Run.objects.filter(pk=run.pk).update(finished_at=run.created_at + timedelta(seconds=1))

    services.triggers_tick(now=run.created_at + timedelta(minutes=2))

    assert MetricTriggerFiring.objects.get().source_run_id == run.pk
    assert Run.objects.filter(pipeline=pipelines["retrain"]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code", "field", "fragment"),
    [
        ({"metric": "train.metrics.accuracy"}, "unknown_node", "metric", "does not start with a node of 'monitor' (nodes: evaluate)"),
        ({"metric": "evaluate.scores.accuracy"}, "unknown_port", "metric", "(outputs: metrics)"),
        ({"metric": "evaluate.metrics"}, "unknown_port", "metric", "expected node.output.key"),
        ({"comparison": "=="}, "invalid_choice", "comparison", ""),
        ({"threshold": "high"}, "invalid", "threshold", ""),
        ({"target": "monitor"}, "trigger_loop", "target_pipeline", "cannot retrigger itself"),
        ({"parameters": {"reason": 5, "extra": 1}}, "unknown_parameter", "parameters.extra", "no parameter 'extra'"),
        ({"target_pipeline": 999999}, "not_found", "target_pipeline", "does not exist"),
    ],
)
def test_bad_metric_triggers_are_400_naming_the_problem_and_nothing_is_created(api, pipelines, body, code, field, fragment):
    if body.pop("target", None):
        body["target_pipeline"] = pipelines["monitor"].pk

    response = create(api, pipelines, **body)

    assert response.status_code == 400, response.json()
    problem = next(p for p in response.json()["problems"] if p.get("field") == field)
    assert problem["code"] == code and fragment in problem["message"]
    assert MetricTrigger.objects.count() == 0


@pytest.mark.django_db
def test_metric_triggers_are_listed_edited_and_deleted(api, pipelines):
    created = create(api, pipelines).json()

    assert api.get(f"/api/metric-triggers/?source_pipeline={pipelines['monitor'].pk}").json()["count"] == 1
    edited = api.patch(f"/api/metric-triggers/{created['id']}/", {"threshold": 0.8, "comparison": "<=", "enabled": False}, format="json")
    assert edited.status_code == 200
    assert (edited.json()["threshold"], edited.json()["comparison"], edited.json()["enabled"]) == (0.8, "<=", False)
    assert api.patch(f"/api/metric-triggers/{created['id']}/", {"metric": "evaluate.metrics.f1"}, format="json").json()["key"] == "f1"
    assert api.patch(f"/api/metric-triggers/{created['id']}/", {"metric": "nope"}, format="json").status_code == 400
    assert api.delete(f"/api/metric-triggers/{created['id']}/").status_code == 204
    assert MetricTrigger.objects.count() == 0
