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
    from runs.services import run_create

    run = run_create(pipeline=pipeline, parameters={"accuracy": accuracy})
    return _complete(run, {"metrics": ("Metrics", metrics_json if metrics_json is not None else f'{{"accuracy": {accuracy}}}'.encode())})


def _complete(run: Run, outputs: dict[str, tuple[str, bytes]]) -> Run:
    """Marks a one-step run completed with the given outputs ({name: (type, content)}), without Docker."""
    from datasets import store

    Run.objects.filter(pk=run.pk).update(status="completed")
    step = run.steps.get()
    StepRun.objects.filter(pk=step.pk).update(status="completed")
    for name, (type_, content) in outputs.items():
        blob = store.put_bytes(content)
        Artifact.objects.create(run=run, step=step, name=name, type=type_, sha256=blob.sha256, uri=blob.uri, size=blob.size)
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
        ({"metric": "evaluate.metrics"}, "missing_key", "metric", "name a key in it: evaluate.metrics.<key>"),
        ({"metric": "evaluate"}, "unknown_node", "metric", "expected node.output.key, node.key"),
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
def test_a_metric_may_name_a_nested_key(api, pipelines):
    response = create(api, pipelines, metric="evaluate.metrics.accuracy.more")

    assert response.status_code == 201, response.json()
    assert response.json()["metric"] == "evaluate.metrics.accuracy.more"
    stored = MetricTrigger.objects.get()
    assert (stored.node, stored.output, stored.metric) == ("evaluate", "metrics", "accuracy.more")


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


# --------------------------------------------------------------------------- the forms of a metric name

SCORER = """
outputs:
- {name: accuracy, type: Float}
- {name: count, type: Integer}
- {name: metrics, type: Metrics}
- {name: report, type: Metrics}
- {name: model, type: Model}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c, "pass"]
"""


@pytest.fixture
def scorer(db):  # type: ignore[no-untyped-def]
    cv = make_component("scorer", SCORER)
    return make_pipeline("scored", [{"id": "score", "component_version": cv.pk, "position": {"x": 0, "y": 0}, "arguments": {}}])


def _scorer_run(pipeline, **outputs: tuple[str, bytes]) -> Run:  # type: ignore[no-untyped-def]
    from runs.services import run_create

    return _complete(run_create(pipeline=pipeline), outputs)


@pytest.mark.django_db
def test_the_short_form_node_key_reads_the_nodes_only_metrics_output(api, pipelines):
    """The issue's own example: `evaluate.accuracy`."""
    created = create(api, pipelines, metric="evaluate.accuracy")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["node"], body["output"], body["key"], body["metric"]) == ("evaluate", "metrics", "accuracy", "evaluate.metrics.accuracy")
    services.run_finished(run_id=_completed_run(pipelines["monitor"], 0.5).pk)
    firing = MetricTriggerFiring.objects.get()
    assert (firing.status, firing.value) == ("started", 0.5)
    assert Run.objects.get(pipeline=pipelines["retrain"]).trigger["metric"] == "evaluate.metrics.accuracy"


@pytest.mark.django_db
@pytest.mark.parametrize(("metric", "type_", "content", "value"), [
    ("score.accuracy", "Float", b"0.42\n", 0.42),
    ("score.count", "Integer", b"7", 7.0),
    ("score.accuracy", "Float", b".5", 0.5),  # read as a downstream Float input reads it
    ("score.accuracy", "Float", b"1.", 1.0),
])
def test_a_float_or_integer_output_is_watched_as_node_output(api, pipelines, scorer, metric, type_, content, value):
    created = create(api, pipelines, source_pipeline=scorer.pk, metric=metric, comparison="<", threshold=10)

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["node"], body["output"], body["key"], body["metric"]) == ("score", metric.split(".")[1], "", metric)
    run = _scorer_run(scorer, **{metric.split(".")[1]: (type_, content)})
    services.run_finished(run_id=run.pk)
    firing = MetricTriggerFiring.objects.get()
    assert (firing.status, firing.value) == ("started", value), firing.detail
    assert Run.objects.get(pipeline=pipelines["retrain"]).trigger["metric"] == metric
    # Edited, it keeps its form.
    edited = api.patch(f"/api/metric-triggers/{body['id']}/", {"threshold": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["metric"] == metric


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "why"), [
    (b"high", "score.accuracy does not hold a number"),
    (b"nan", "score.accuracy does not hold a finite number"),
])
def test_a_number_output_that_holds_no_number_is_a_failed_evaluation(api, pipelines, scorer, content, why):
    create(api, pipelines, source_pipeline=scorer.pk, metric="score.accuracy")

    services.run_finished(run_id=_scorer_run(scorer, accuracy=("Float", content)).pk)

    firing = MetricTriggerFiring.objects.get()
    assert firing.status == "failed" and why in firing.detail, firing.detail
    assert not Run.objects.filter(pipeline=pipelines["retrain"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "code", "fragment"),
    [
        ("score.f1", "ambiguous_metric", "could be any of: score.metrics.f1, score.report.f1"),
        ("score.accuracy.value", "incompatible_types", "single Float, which has no keys; watch it as score.accuracy"),
        ("score.model", "incompatible_types", "is Model"),
        ("score.model.accuracy", "incompatible_types", "is Model"),
        ("score.report", "missing_key", "score.report.<key>"),
        ("score.scores.f1", "unknown_port", "no output matching 'scores.f1'"),
    ],
)
def test_metric_names_that_do_not_name_one_number_are_400(api, pipelines, scorer, metric, code, fragment):
    response = create(api, pipelines, source_pipeline=scorer.pk, metric=metric)

    assert response.status_code == 400, response.json()
    problem = response.json()["problems"][0]
    assert (problem["code"], problem["field"], problem["node"]) == (code, "metric", "score")
    assert fragment in problem["message"], problem["message"]
    assert MetricTrigger.objects.count() == 0


FLOAT_SCORE = """
inputs:
- {name: accuracy, type: Float}
outputs:
- {name: accuracy, type: Float}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c]
    args:
    - "import sys; open(sys.argv[2], 'w').write(sys.argv[1])"
    - {inputValue: accuracy}
    - {outputPath: accuracy}
resources: {cpu: 1, memory: 256Mi}
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_float_output_of_a_real_run_under_its_threshold_starts_the_target(api, worker, pipelines):
    cv = make_component("float score", FLOAT_SCORE)
    gauge = make_pipeline("gauge", [{"id": "gauge", "component_version": cv.pk, "position": {"x": 0, "y": 0},
                                     "arguments": {"accuracy": {"parameter": "accuracy"}}}],
                          parameters=[{"name": "accuracy", "type": "Float", "default": 0.95}])
    assert create(api, pipelines, source_pipeline=gauge.pk, metric="gauge.accuracy").status_code == 201

    source = wait_for_run(api.post(f"/api/pipelines/{gauge.pk}/runs/", {"parameters": {"accuracy": 0.6}}, format="json").json()["id"])
    assert source.status == "completed"
    triggered = wait_until(lambda: runs_of(pipelines["retrain"]), timeout=30)[0]

    assert triggered.trigger["metric"] == "gauge.accuracy" and triggered.trigger["value"] == 0.6
    assert MetricTriggerFiring.objects.get().status == "started"


# --------------------------------------------------------------------------- loops at run time


@pytest.mark.django_db
def test_a_metric_chain_that_leads_back_to_its_trigger_stops_there(api, pipelines):
    """monitor → (accuracy low) → audit → (accuracy low) → monitor → ...: the second time the chain
    reaches the first trigger, it records the firing as skipped instead of going round again."""
    from runs.services import run_create

    monitor = pipelines["monitor"]
    audit = make_pipeline("audit", [dict(monitor.versions.get().graph["nodes"][0])], parameters=[{"name": "accuracy", "type": "Float", "default": 0.5}])
    forward = create(api, pipelines, target_pipeline=audit.pk).json()["id"]
    back = create(api, pipelines, source_pipeline=audit.pk, target_pipeline=monitor.pk, parameters={"accuracy": 0.5}).json()["id"]

    first = run_create(pipeline=monitor, parameters={"accuracy": 0.5})
    services.run_finished(run_id=_complete(first, {"metrics": ("Metrics", b'{"accuracy": 0.5}')}).pk)
    audit_run = Run.objects.get(pipeline=audit)
    services.run_finished(run_id=_complete(audit_run, {"metrics": ("Metrics", b'{"accuracy": 0.5}')}).pk)
    again = Run.objects.filter(pipeline=monitor).exclude(pk=first.pk).get()
    assert again.trigger["metric_trigger"] == back
    services.run_finished(run_id=_complete(again, {"metrics": ("Metrics", b'{"accuracy": 0.5}')}).pk)

    firing = MetricTriggerFiring.objects.get(trigger_id=forward, source_run=again)
    assert firing.status == "skipped" and firing.value == 0.5
    assert f"would loop: evaluate.metrics.accuracy = 0.5 < 0.9, but run {again.pk} comes from run {audit_run.pk}, which this trigger started" == firing.detail
    assert Run.objects.filter(pipeline=audit).count() == 1
    assert Run.objects.filter(pipeline=monitor).count() == 2
    # The chain's first link still fires for a run started by hand.
    services.run_finished(run_id=_completed_run(monitor, 0.5).pk)
    assert Run.objects.filter(pipeline=audit).count() == 2
