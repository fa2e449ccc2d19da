"""Runs read pinned dataset versions in real containers and publish outputs as new versions, with lineage."""

from __future__ import annotations

import pytest

from datasets import store
from datasets.models import Dataset, DatasetUsage, DatasetVersion
from runs.models import Run
from tests.datasets.conftest import IRIS, IRIS_V2, dataset_node, train_component, upload
from tests.engine.conftest import make_pipeline, node, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker]

UPPER = "import sys; open(sys.argv[1], 'w').write(open(sys.argv[2]).read().upper())"


def _output(run: Run, node_id: str, name: str = "out") -> bytes:
    artifact = run.steps.get(node_id=node_id).outputs.get(name=name)
    return store.read_head(artifact.sha256, 10_000)


def _reader(shell_component, dataset: Dataset, version: int | str = "latest") -> dict:
    return {**node("read", shell_component, UPPER), "arguments": {
        "script": {"value": UPPER}, "data": {"dataset": {"id": dataset.pk, "version": version}}}}


def test_a_run_reads_the_newest_version_as_of_its_creation(api, worker, shell_component):
    iris = Dataset.objects.create(name="iris")
    v1 = upload(api, iris.pk, IRIS).json()["version"]
    pipeline = make_pipeline("reads iris", [_reader(shell_component, iris)])

    response = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json")
    upload(api, iris.pk, IRIS_V2)  # after creation: not what this run reads
    run = wait_for_run(response.json()["id"])

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    assert _output(run, "read") == IRIS.upper()
    pinned = {"read": {"data": {"dataset": iris.pk, "dataset_name": "iris", "version": 1, "dataset_version": v1["id"]}}}
    assert response.json()["dataset_inputs"] == pinned
    detail = api.get(f"/api/runs/{run.pk}/").json()
    assert detail["dataset_inputs"] == pinned
    assert detail["steps"][0]["inputs"]["data"]["dataset_version"] == v1["id"]
    assert list(DatasetUsage.objects.values_list("run_id", "version_id", "node_id", "input")) == [(run.pk, v1["id"], "read", "data")]


def test_a_pinned_version_is_read_even_when_newer_ones_exist(api, worker, shell_component):
    iris = Dataset.objects.create(name="iris")
    upload(api, iris.pk, IRIS)
    upload(api, iris.pk, IRIS_V2)
    pipeline = make_pipeline("reads iris v1", [_reader(shell_component, iris, version=1)])

    run = wait_for_run(api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"])

    assert run.status == "completed"
    assert _output(run, "read") == IRIS.upper()


def test_an_external_version_reaches_the_step_as_its_uri(api, worker, shell_component):
    lake = Dataset.objects.create(name="lake")
    api.post(f"/api/datasets/{lake.pk}/versions/", {"uri": "s3://bucket/exports/day-1.parquet"}, format="json")
    pipeline = make_pipeline("reads lake", [_reader(shell_component, lake)])

    run = wait_for_run(api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"])

    assert run.status == "completed"
    assert _output(run, "read") == b"S3://BUCKET/EXPORTS/DAY-1.PARQUET"


def test_a_run_of_a_dataset_without_versions_is_refused_and_not_created(api, shell_component):
    empty = Dataset.objects.create(name="empty")
    pipeline = make_pipeline("reads nothing", [_reader(shell_component, empty)])

    response = api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json")

    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert (problem["code"], problem["node"], problem["port"]) == ("dataset_empty", "read", "data")
    assert "has no versions yet" in problem["message"]
    assert Run.objects.count() == 0


def test_a_retry_reads_the_same_versions_as_the_failed_run(api, worker, shell_component):
    iris = Dataset.objects.create(name="iris")
    upload(api, iris.pk, IRIS)
    failing = {**_reader(shell_component, iris), "id": "read"}
    failing["arguments"]["script"] = {"value": "import sys; sys.exit(2)"}
    pipeline = make_pipeline("fails on iris", [failing])
    run = wait_for_run(api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"])
    assert run.status == "failed"
    upload(api, iris.pk, IRIS_V2)

    retry = api.post(f"/api/runs/{run.pk}/retry/").json()

    assert retry["trigger"] == {"kind": "retry", "source_run": run.pk, "user": "alice"}
    assert retry["dataset_inputs"]["read"]["data"]["version"] == 1
    assert wait_for_run(retry["id"]).status == "failed"


def test_a_published_model_is_a_model_version_whose_lineage_shows_the_data_and_the_run(api, worker):
    iris = Dataset.objects.create(name="iris")
    data_v1 = upload(api, iris.pk, IRIS).json()["version"]
    train = train_component()
    pipeline = make_pipeline("train iris", [
        dataset_node("train", train, iris, publish=[{"output": "model", "dataset": "iris-model", "kind": "model"}]),
    ])

    run = wait_for_run(api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"])

    assert run.status == "completed", list(run.steps.values("node_id", "status", "error"))
    model = Dataset.objects.get(name="iris-model")
    assert model.kind == "model"
    version = model.versions.get()
    step = run.steps.get(node_id="train")
    assert version.number == 1 and version.produced_by_id == step.pk
    assert store.read_head(version.sha256, 1000).startswith(b"model of 3 rows")
    shown = api.get(f"/api/datasets/{model.pk}/versions/1/").json()
    assert shown["produced_by"] == {"run": run.pk, "step": step.pk, "node": "train", "pipeline": pipeline.pk,
                                    "pipeline_name": "train iris"}

    lineage = api.get(f"/api/datasets/{model.pk}/lineage/").json()
    ids = {n["id"] for n in lineage["nodes"]}
    assert ids == {f"version:{data_v1['id']}", f"run:{run.pk}", f"version:{version.pk}"}
    assert {(e["source"], e["target"], e["kind"], e["node"], e["port"]) for e in lineage["edges"]} == {
        (f"version:{data_v1['id']}", f"run:{run.pk}", "input", "train", "data"),
        (f"run:{run.pk}", f"version:{version.pk}", "output", "train", "model"),
    }
    run_node = next(n for n in lineage["nodes"] if n["type"] == "run")
    assert run_node["pipeline_name"] == "train iris" and run_node["status"] == "completed"
    # The same graph seen from the data: version → run → model.
    downstream = api.get(f"/api/datasets/{iris.pk}/lineage/").json()
    assert {n["id"] for n in downstream["nodes"]} == ids

    # Identical output adds no model version; new data makes a new one.
    again = wait_for_run(api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"])
    assert again.status == "completed" and model.versions.count() == 1
    upload(api, iris.pk, IRIS_V2)
    third = wait_for_run(api.post(f"/api/pipelines/{pipeline.pk}/runs/", {}, format="json").json()["id"])
    assert third.status == "completed"
    assert list(model.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert store.read_head(model.versions.get(number=2).sha256, 100).startswith(b"model of 4 rows")
    assert DatasetVersion.objects.get(dataset=model, number=2).produced_by.run_id == third.pk
