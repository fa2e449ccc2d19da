"""A new dataset version starts exactly one run of each triggered pipeline, with that version bound."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from datasets import services as dataset_services
from datasets import store
from datasets.models import Dataset, DatasetVersion
from runs.models import Artifact, Run, StepRun
from tests.datasets.conftest import IRIS, IRIS_V2, TRAIN, dataset_node, upload
from tests.engine.conftest import make_component, make_pipeline, node, wait_for_run
from tests.triggers.conftest import runs_of, wait_until
from triggers import services
from triggers.models import DatasetTrigger, DatasetTriggerFiring

UPPER = "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read().upper())"


def trigger(api, pipeline, dataset, node_id="read", input_name="data", **extra):  # type: ignore[no-untyped-def]
    return api.post("/api/dataset-triggers/", {"pipeline": pipeline.pk, "dataset": dataset.pk, "node": node_id,
                                               "input": input_name, **extra}, format="json")


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_each_new_version_starts_one_run_per_triggered_pipeline(api, worker, shell_component):
    iris = Dataset.objects.create(name="iris")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])  # its optional input gets the version
    trainer = make_pipeline("trainer", [dataset_node("train", make_component("train", TRAIN), iris)])
    assert trigger(api, reader, iris).status_code == 201
    created = trigger(api, trainer, iris, node_id="train", name="retrain on new data")
    assert created.status_code == 201, created.json()
    assert created.json()["dataset_name"] == "iris" and created.json()["pipeline_name"] == "trainer"

    v1 = upload(api, iris.pk, IRIS).json()["version"]
    wait_until(lambda: len(runs_of(reader)) == 1 and len(runs_of(trainer)) == 1, timeout=30)

    for pipeline in (reader, trainer):
        run = wait_for_run(runs_of(pipeline)[0].pk)
        assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
        assert run.trigger_kind == "dataset"
        assert run.trigger["dataset_version"] == v1["id"] and run.trigger["version"] == 1
        assert run.trigger["dataset_name"] == "iris"
    read = runs_of(reader)[0]
    assert read.dataset_inputs["read"]["data"]["dataset_version"] == v1["id"]
    assert store.read_head(read.steps.get().outputs.get().sha256, 1000) == IRIS.upper()

    # Identical content: no version, no run.
    assert upload(api, iris.pk, IRIS).status_code == 200
    # The same commit event delivered again, by the broker and by hand: no second run.
    from studio.celery import app

    app.send_task("triggers.dataset_version_committed", args=[v1["id"]])
    assert services.dataset_version_committed(version_id=v1["id"]) == []
    time.sleep(2)
    assert len(runs_of(reader)) == 1 and len(runs_of(trainer)) == 1
    assert DatasetTriggerFiring.objects.count() == 2

    v2 = upload(api, iris.pk, IRIS_V2).json()["version"]
    wait_until(lambda: len(runs_of(reader)) == 2 and len(runs_of(trainer)) == 2, timeout=30)
    newest = wait_for_run(runs_of(reader)[1].pk)
    assert newest.trigger["dataset_version"] == v2["id"]
    assert store.read_head(newest.steps.get().outputs.get().sha256, 1000) == IRIS_V2.upper()
    shown = api.get(f"/api/runs/?trigger_kind=dataset&pipeline={reader.pk}").json()["results"]
    assert [r["trigger"]["version"] for r in shown] == [2, 1]
    firings = api.get(f"/api/dataset-triggers/{created.json()['id']}/firings/").json()["results"]
    assert [(f["version"], f["status"]) for f in firings] == [(2, "started"), (1, "started")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_published_model_version_triggers_the_pipeline_that_watches_it(api, worker, shell_component):
    iris = Dataset.objects.create(name="iris")
    models = Dataset.objects.create(name="iris-model", kind="model")
    trainer = make_pipeline("trainer", [dataset_node("train", make_component("train", TRAIN), iris,
                                                     publish=[{"output": "model", "dataset": "iris-model"}])])
    deployer = make_pipeline("deployer", [node("read", shell_component, UPPER)])
    assert trigger(api, deployer, models).status_code == 201
    assert trigger(api, trainer, iris, node_id="train").status_code == 201

    upload(api, iris.pk, IRIS)

    deploy = wait_for_run(wait_until(lambda: runs_of(deployer), timeout=60)[0].pk)
    assert deploy.status == "completed"
    model_version = models.versions.get()
    assert deploy.trigger["dataset_version"] == model_version.pk
    assert model_version.produced_by.run.pipeline_id == trainer.pk
    assert store.read_head(deploy.steps.get().outputs.get().sha256, 100).startswith(b"MODEL OF 3 ROWS")


@pytest.mark.django_db
def test_a_disabled_trigger_does_not_fire(api, shell_component):
    iris = Dataset.objects.create(name="iris")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])
    trigger_id = trigger(api, reader, iris, enabled=False).json()["id"]
    version, _ = dataset_services.dataset_version_upload(dataset=iris, blob=store.put_bytes(IRIS))

    assert services.dataset_version_committed(version_id=version.pk) == []
    assert Run.objects.count() == 0
    assert api.patch(f"/api/dataset-triggers/{trigger_id}/", {"enabled": True}, format="json").json()["enabled"] is True


@pytest.mark.django_db
def test_with_a_debounce_window_a_burst_of_versions_makes_one_run_for_the_newest(shell_component):
    iris = Dataset.objects.create(name="iris")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])
    services.dataset_trigger_create(pipeline=reader, dataset=iris, node="read", input="data", debounce_seconds=60)
    versions = []
    for n in range(3):
        version, _ = dataset_services.dataset_version_upload(dataset=iris, blob=store.put_bytes(IRIS + b"9,9,x\n" * n))
        services.dataset_version_committed(version_id=version.pk)  # the commit event (on_commit does not run here)
        versions.append(version)
    last = versions[-1].created_at

    services.triggers_tick(now=last + timedelta(seconds=30))
    assert Run.objects.count() == 0  # still inside the window

    services.triggers_tick(now=last + timedelta(seconds=61))

    run = Run.objects.get()
    assert run.dataset_inputs["read"]["data"]["dataset_version"] == versions[-1].pk
    statuses = dict(DatasetTriggerFiring.objects.values_list("dataset_version__number", "status"))
    assert statuses == {1: "skipped", 2: "skipped", 3: "started"}
    assert "superseded by version 3" in DatasetTriggerFiring.objects.get(dataset_version=versions[0]).detail
    services.triggers_tick(now=last + timedelta(seconds=120))
    assert Run.objects.count() == 1


@pytest.mark.django_db
def test_a_commit_event_that_never_arrived_is_recovered_by_the_tick(shell_component):
    iris = Dataset.objects.create(name="iris")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])
    services.dataset_trigger_create(pipeline=reader, dataset=iris, node="read", input="data")
    version, _ = dataset_services.dataset_version_upload(dataset=iris, blob=store.put_bytes(IRIS))  # event lost

    services.triggers_tick(now=version.created_at + timedelta(seconds=5))
    assert Run.objects.count() == 0  # too early to call it lost
    services.triggers_tick(now=version.created_at + timedelta(seconds=60))
    services.triggers_tick(now=version.created_at + timedelta(seconds=90))

    assert Run.objects.get().trigger["dataset_version"] == version.pk
    assert DatasetVersion.objects.get().triggers_notified_at is not None


@pytest.fixture
def parts(db, shell_component):  # type: ignore[no-untyped-def]
    iris = Dataset.objects.create(name="iris")
    models = Dataset.objects.create(name="iris-model", kind="model")
    trainer = make_pipeline("trainer", [dataset_node("train", make_component("train", TRAIN), iris,
                                                     publish=[{"output": "model", "dataset": "iris"}])])
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)],
                           parameters=[{"name": "limit", "type": "Integer", "default": 3}])
    return {"iris": iris, "models": models, "trainer": trainer, "reader": reader}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code", "field", "fragment"),
    [
        ({"node": "write"}, "unknown_node", "node", "has no node 'write' (nodes: read)"),
        ({"input": "dataset"}, "unknown_port", "input", "node 'read' has no input 'dataset' (inputs: script, data)"),
        ({"dataset": "models"}, None, "input", None),  # File input: any kind is fine
        ({"parameters": {"limit": "all"}}, "parameter_type", "parameters.limit", "Integer"),
        ({"debounce_seconds": -1}, "min_value", "debounce_seconds", ""),
        ({"dataset": 999999}, "not_found", "dataset", "does not exist"),
        ({"pipeline": 999999}, "not_found", "pipeline", "does not exist"),
    ],
)
def test_bad_triggers_are_400_naming_the_problem_and_nothing_is_created(api, parts, body, code, field, fragment):
    payload = {"pipeline": parts["reader"].pk, "dataset": parts["iris"].pk, "node": "read", "input": "data"}
    payload.update({k: parts[v].pk if v in ("models",) else v for k, v in body.items()})

    response = api.post("/api/dataset-triggers/", payload, format="json")

    if code is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.json()
    problem = response.json()["problems"][0]
    assert (problem["code"], problem.get("field")) == (code, field)
    assert fragment in problem["message"]
    assert DatasetTrigger.objects.count() == 0


@pytest.mark.django_db
def test_a_model_dataset_cannot_feed_a_dataset_input(api, parts):
    response = api.post("/api/dataset-triggers/", {"pipeline": parts["trainer"].pk, "dataset": parts["models"].pk,
                                                   "node": "train", "input": "data"}, format="json")

    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert (problem["code"], problem["node"], problem["port"]) == ("incompatible_types", "train", "data")
    assert DatasetTrigger.objects.count() == 0


@pytest.mark.django_db
def test_a_pipeline_cannot_be_triggered_by_the_dataset_it_publishes_to(api, parts):
    response = api.post("/api/dataset-triggers/", {"pipeline": parts["trainer"].pk, "dataset": parts["iris"].pk,
                                                   "node": "train", "input": "data"}, format="json")

    assert response.status_code == 400
    assert response.json()["problems"][0]["code"] == "trigger_loop"
    assert DatasetTrigger.objects.count() == 0


@pytest.mark.django_db
def test_the_same_trigger_twice_is_refused(api, parts):
    body = {"pipeline": parts["reader"].pk, "dataset": parts["iris"].pk, "node": "read", "input": "data"}
    assert api.post("/api/dataset-triggers/", body, format="json").status_code == 201

    response = api.post("/api/dataset-triggers/", body, format="json")

    assert response.status_code == 400 and response.json()["problems"][0]["code"] == "unique"
    assert DatasetTrigger.objects.count() == 1


@pytest.mark.django_db
def test_triggers_are_listed_edited_and_deleted(api, parts):
    created = api.post("/api/dataset-triggers/", {"pipeline": parts["reader"].pk, "dataset": parts["iris"].pk,
                                                  "node": "read", "input": "data"}, format="json").json()

    assert api.get(f"/api/dataset-triggers/?dataset={parts['iris'].pk}").json()["count"] == 1
    assert api.get(f"/api/dataset-triggers/?pipeline={parts['trainer'].pk}").json()["count"] == 0
    edited = api.patch(f"/api/dataset-triggers/{created['id']}/", {"debounce_seconds": 30, "name": "burst"}, format="json")
    assert edited.status_code == 200 and (edited.json()["debounce_seconds"], edited.json()["name"]) == (30, "burst")
    bad = api.patch(f"/api/dataset-triggers/{created['id']}/", {"input": "nope"}, format="json")
    assert bad.status_code == 400 and DatasetTrigger.objects.get().input == "data"
    assert api.delete(f"/api/dataset-triggers/{created['id']}/").status_code == 204
    assert DatasetTrigger.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_new_version_starts_its_run_ahead_of_a_backlog_of_steps(api, worker, shell_component):
    """Triggers have a queue of their own that every worker also takes from: a version committed
    while dozens of steps wait for a worker thread starts its run before they have all started."""
    iris = Dataset.objects.create(name="iris under load")
    reader = make_pipeline("reader under load", [node("read", shell_component, UPPER)])
    assert trigger(api, reader, iris).status_code == 201
    sleep = "import sys, time; time.sleep(1); open(sys.argv[1], 'w').close()"
    busy = make_pipeline("backlog", [node(f"s{i}", shell_component, sleep) for i in range(40)])
    busy_run = api.post(f"/api/pipelines/{busy.pk}/runs/", {}, format="json").json()["id"]
    wait_until(lambda: Run.objects.get(pk=busy_run).steps.filter(status="running").exists(), what="the backlog")

    upload(api, iris.pk, IRIS)
    wait_until(lambda: runs_of(reader), timeout=60, what="the triggered run")

    created = runs_of(reader)[0].created_at
    assert wait_for_run(busy_run, timeout=180).status == "completed"
    started_later = Run.objects.get(pk=busy_run).steps.filter(started_at__gt=created).count()
    assert started_later > 0, "the trigger waited behind every queued step"
    assert wait_for_run(runs_of(reader)[0].pk).status == "completed"


# --------------------------------------------------------------------------- external versions


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_registering_an_external_uri_starts_the_run_with_that_version_and_again_starts_nothing(api, worker, shell_component):
    exports = Dataset.objects.create(name="exports")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])
    assert trigger(api, reader, exports).status_code == 201
    body = {"uri": "s3://bucket/exports/iris.csv", "checksum": "sha256:" + "ab" * 32}

    registered = api.post(f"/api/datasets/{exports.pk}/versions/", body, format="json")
    assert registered.status_code == 201, registered.json()
    version = registered.json()["version"]
    run = wait_for_run(wait_until(lambda: runs_of(reader), timeout=30, what="the triggered run")[0].pk)

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    assert run.trigger["dataset_version"] == version["id"] and run.trigger["version"] == 1
    assert run.dataset_inputs == {"read": {"data": {"dataset": exports.pk, "dataset_name": "exports", "version": 1,
                                                    "dataset_version": version["id"]}}}
    # An external version reaches the step as its URI.
    assert store.read_head(run.steps.get().outputs.get().sha256, 1000) == b"S3://BUCKET/EXPORTS/IRIS.CSV"

    again = api.post(f"/api/datasets/{exports.pk}/versions/", body, format="json")
    assert again.status_code == 200 and again.json() == {"created": False, "version": version}
    time.sleep(2)
    assert len(runs_of(reader)) == 1 and DatasetTriggerFiring.objects.count() == 1
    assert DatasetVersion.objects.filter(dataset=exports).count() == 1


# --------------------------------------------------------------------------- loops at run time


@pytest.mark.django_db(transaction=True)
@pytest.mark.docker
def test_a_pipeline_edited_to_publish_into_its_own_trigger_dataset_runs_once_not_forever(api, worker, shell_component):
    """Creating the trigger checked for the loop; the edit came later. The version the triggered
    run publishes is recorded as a skipped firing ("would loop") instead of starting another run."""
    iris = Dataset.objects.create(name="iris")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])
    trigger_id = trigger(api, reader, iris).json()["id"]
    edited = api.put(f"/api/pipelines/{reader.pk}/", {
        "name": "reader", "description": "", "parameters": [],
        "graph": {"schema_version": 1, "nodes": [node("read", shell_component, UPPER, publish=[{"output": "out", "dataset": "iris"}])]},
    }, format="json")
    assert edited.status_code == 200, edited.json()

    v1 = upload(api, iris.pk, IRIS).json()["version"]
    run = wait_for_run(wait_until(lambda: runs_of(reader), timeout=30, what="the triggered run")[0].pk)
    assert run.status == "completed" and run.trigger["dataset_version"] == v1["id"]
    published = wait_until(lambda: iris.versions.filter(number=2).first(), timeout=30, what="the published version")
    assert published.produced_by.run_id == run.pk
    firing = wait_until(lambda: DatasetTriggerFiring.objects.filter(dataset_version=published).first(), timeout=30, what="the firing")

    assert firing.status == "skipped" and firing.run is None
    assert firing.detail == f"would loop: version 2 was produced by run {run.pk}, which this trigger started"
    time.sleep(2)
    assert len(runs_of(reader)) == 1
    firings = api.get(f"/api/dataset-triggers/{trigger_id}/firings/").json()["results"]
    assert [(f["version"], f["status"]) for f in firings] == [(2, "skipped"), (1, "started")]


@pytest.mark.django_db
def test_a_loop_through_another_dataset_and_trigger_is_stopped_too(shell_component):
    """reader reads raw and publishes clean; cleaner reads clean and publishes raw. A version of raw
    runs reader once and cleaner once; raw's next version would start reader again: skipped."""
    raw, clean = Dataset.objects.create(name="raw"), Dataset.objects.create(name="clean")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER, publish=[{"output": "out", "dataset": "clean"}])])
    cleaner = make_pipeline("cleaner", [node("read", shell_component, UPPER, publish=[{"output": "out", "dataset": "raw"}])])
    to_reader = services.dataset_trigger_create(pipeline=reader, dataset=raw, node="read", input="data")
    services.dataset_trigger_create(pipeline=cleaner, dataset=clean, node="read", input="data")

    def finish_and_publish(run: Run, content: bytes) -> DatasetVersion:
        step = run.steps.get()
        StepRun.objects.filter(pk=step.pk).update(status="completed")
        blob = store.put_bytes(content)
        artifact = Artifact.objects.create(run=run, step=step, name="out", type="File", sha256=blob.sha256, uri=blob.uri, size=blob.size)
        (version,) = dataset_services.step_outputs_publish(step=StepRun.objects.get(pk=step.pk), artifacts=[artifact])
        services.dataset_version_committed(version_id=version.pk)
        return version

    first, _ = dataset_services.dataset_version_upload(dataset=raw, blob=store.put_bytes(IRIS))
    services.dataset_version_committed(version_id=first.pk)
    read_run = Run.objects.get(pipeline=reader)
    finish_and_publish(read_run, IRIS.upper())
    clean_run = Run.objects.get(pipeline=cleaner)
    looped = finish_and_publish(clean_run, IRIS_V2)

    firing = DatasetTriggerFiring.objects.get(trigger=to_reader, dataset_version=looped)
    assert firing.status == "skipped"
    assert firing.detail == (f"would loop: version 2 was produced by run {clean_run.pk}, "
                             f"which comes from run {read_run.pk} that this trigger started")
    assert Run.objects.filter(pipeline=reader).count() == 1 and Run.objects.filter(pipeline=cleaner).count() == 1


# --------------------------------------------------------------------------- a pipeline changed under its trigger


@pytest.mark.django_db
def test_a_trigger_whose_input_port_is_gone_records_a_failed_firing_naming_it(api, shell_component):
    iris = Dataset.objects.create(name="iris")
    reader = make_pipeline("reader", [node("read", shell_component, UPPER)])
    trigger_id = trigger(api, reader, iris).json()["id"]
    # The node's component is replaced by one without the `data` input the trigger feeds.
    no_input = make_component("snippet without input", {
        "inputs": [{"name": "script", "type": "String"}],
        "outputs": [{"name": "out", "type": "File"}],
        "implementation": {"container": {"image": "pipeline-studio/base:1", "command": ["python3", "-c", {"inputValue": "script"}]}},
    })
    edited = api.put(f"/api/pipelines/{reader.pk}/", {
        "name": "reader", "description": "", "parameters": [],
        "graph": {"schema_version": 1, "nodes": [node("read", no_input, "open('/dev/null').close()")]},
    }, format="json")
    assert edited.status_code == 200, edited.json()
    version, _ = dataset_services.dataset_version_upload(dataset=iris, blob=store.put_bytes(IRIS))

    services.dataset_version_committed(version_id=version.pk)

    firing = DatasetTriggerFiring.objects.get()
    assert firing.status == "failed" and firing.run is None
    assert "node 'read' has no input 'data' to receive a dataset version (inputs: script)" in firing.detail
    assert Run.objects.count() == 0
    shown = api.get(f"/api/dataset-triggers/{trigger_id}/firings/").json()["results"]
    assert shown[0]["status"] == "failed" and "no input 'data'" in shown[0]["detail"]
