"""Graph documents may read dataset versions and publish outputs to datasets; problems name node and port."""

from __future__ import annotations

from typing import Any

import pytest

from datasets.models import Dataset, DatasetVersion
from pipelines.models import Pipeline
from pipelines.services import pipeline_validate
from tests.pipelines.pipeline_factories import codes, component, document, node, port, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(db: Any) -> dict[str, Any]:
    iris = Dataset.objects.create(name="iris")
    DatasetVersion.objects.create(dataset=iris, number=1, uri="s3://b/iris-1.csv")
    DatasetVersion.objects.create(dataset=iris, number=2, uri="s3://b/iris-2.csv")
    return {
        "iris": iris,
        "models": Dataset.objects.create(name="iris-model", kind="model"),
        "train": component("Train", inputs=[port("data", "Dataset"), port("label", "String", optional=True)],
                           outputs=[port("model", "Model"), port("score", "Float")]),
        "predict": component("Predict", inputs=[port("model", "Model"), port("rows", "Table", optional=True)], outputs=[port("out")]),
        "anything": component("Anything", inputs=[port("file", "File", optional=True), port("raw", optional=True)], outputs=[port("out")]),
    }


def ds(dataset: Dataset, version: int | str = "latest") -> dict[str, Any]:
    return {"dataset": {"id": dataset.pk, "version": version}}


def problems(graph: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return codes([p.as_dict() for p in pipeline_validate(graph=graph, parameters=[])])


def test_dataset_bindings_of_the_right_kind_are_sound(parts):
    graph = document(
        node("train", parts["train"], data=ds(parts["iris"], 2)),
        node("any", parts["anything"], file=ds(parts["models"]), raw=ds(parts["iris"])),
        node("predict", parts["predict"], model=source("train", "model"), rows=ds(parts["iris"], "latest")),
    )
    assert problems(graph) == []


def test_binding_a_dataset_to_an_input_that_does_not_exist_names_node_and_port(parts):
    graph = document(node("train", parts["train"], data=ds(parts["iris"]), training_data=ds(parts["iris"])))
    assert problems(graph) == [("unknown_port", "train", "training_data")]


def test_an_unknown_dataset_or_version_is_reported_on_its_input(parts):
    graph = document(
        node("train", parts["train"], data={"dataset": {"id": 999999, "version": "latest"}}),
        node("train2", parts["train"], data=ds(parts["iris"], 3)),
    )
    found = [p.as_dict() for p in pipeline_validate(graph=graph, parameters=[])]
    assert codes(found) == [("unknown_dataset", "train", "data"), ("unknown_dataset_version", "train2", "data")]
    assert "its latest is version 2" in found[1]["message"]


def test_a_dataset_cannot_feed_a_value_input_or_an_input_of_another_kind(parts):
    graph = document(
        node("train", parts["train"], data=ds(parts["models"]), label=ds(parts["iris"])),
        node("predict", parts["predict"], model=ds(parts["iris"])),
    )
    assert problems(graph) == [
        ("incompatible_types", "train", "data"),
        ("incompatible_types", "train", "label"),
        ("incompatible_types", "predict", "model"),
    ]


@pytest.mark.parametrize(
    "binding",
    [{"dataset": {}}, {"dataset": {"id": "iris"}}, {"dataset": {"id": 1, "version": 0}}, {"dataset": {"id": 1, "version": "newest"}},
     {"dataset": {"id": 1, "extra": 2}}, {"dataset": 5}],
)
def test_malformed_dataset_bindings_are_invalid_documents(parts, binding):
    graph = document(node("train", parts["train"], data=binding))
    assert problems(graph) == [("invalid_document", "train", "data")]


def test_publishing_a_declared_output_is_sound_and_creates_nothing_yet(parts):
    graph = document({**node("train", parts["train"], data=ds(parts["iris"])),
                      "publish": [{"output": "model", "dataset": "iris-model", "kind": "model"},
                                  {"output": "model", "dataset": "brand-new"}]})
    assert problems(graph) == []
    assert not Dataset.objects.filter(name="brand-new").exists()


def test_publish_declarations_are_checked_against_outputs_and_existing_datasets(parts):
    graph = document({**node("train", parts["train"], data=ds(parts["iris"])),
                      "publish": [{"output": "weights", "dataset": "iris-model"},
                                  {"output": "score", "dataset": "scores"},
                                  {"output": "model", "dataset": "IRIS", "kind": "model"}]})
    found = [p.as_dict() for p in pipeline_validate(graph=graph, parameters=[])]
    assert codes(found) == [
        ("unknown_port", "train", "weights"),
        ("incompatible_types", "train", "score"),
        ("dataset_kind", "train", "model"),
    ]
    assert found[0]["field"] == "nodes[0].publish[0].output"
    assert "outputs: model, score" in found[0]["message"]


@pytest.mark.parametrize(
    "publish",
    [{"output": "model"}, {"output": "model", "dataset": ""}, {"output": "model", "dataset": "a/b"},
     {"output": "model", "dataset": "x", "kind": "table"}, {"output": "model", "dataset": "x", "into": "y"}, "model"],
)
def test_malformed_publish_declarations_are_invalid_documents(parts, publish):
    graph = document({**node("train", parts["train"], data=ds(parts["iris"])), "publish": [publish]})
    assert [c[0] for c in problems(graph)] == ["invalid_document"]


def test_the_api_refuses_a_binding_to_a_missing_input_and_creates_nothing(api, parts):
    graph = document(node("train", parts["train"], data=ds(parts["iris"]), dataset=ds(parts["iris"])))

    response = api.post("/api/pipelines/", {"name": "p", "graph": graph, "parameters": []}, format="json")

    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert (problem["code"], problem["node"], problem["port"]) == ("unknown_port", "train", "dataset")
    assert 'no input "dataset"' in problem["message"]
    assert Pipeline.objects.count() == 0


def test_the_validate_endpoint_reports_unknown_datasets(api, parts):
    graph = document(node("train", parts["train"], data={"dataset": {"id": 424242}}))

    body = api.post("/api/pipelines/validate/", {"graph": graph, "parameters": []}, format="json").json()

    assert [(p["code"], p["node"], p["port"]) for p in body["problems"]] == [("unknown_dataset", "train", "data")]


@pytest.mark.parametrize(
    ("binding", "code", "port", "fragment"),
    [
        ({"data": "iris", "training_data": "iris"}, "unknown_port", "training_data", 'no input "training_data"'),
        ({"data": 424242}, "unknown_dataset", "data", "424242"),
        ({"data": ("iris", 7)}, "unknown_dataset_version", "data", "reads version 7"),
    ],
)
def test_a_put_binding_a_dataset_to_a_missing_input_or_dataset_is_400_and_saves_no_version(api, parts, binding, code, port, fragment):
    created = api.post("/api/pipelines/", {"name": "p", "graph": document(node("train", parts["train"], data=ds(parts["iris"]))),
                                           "parameters": []}, format="json")
    assert created.status_code == 201, created.json()
    pipeline = Pipeline.objects.get()
    versions = list(pipeline.versions.values_list("number", "graph"))

    def bind(value: Any) -> dict[str, Any]:
        if value == "iris":
            return ds(parts["iris"])
        if isinstance(value, tuple):
            return ds(parts[value[0]], value[1])
        return {"dataset": {"id": value, "version": "latest"}}

    graph = document(node("train", parts["train"], **{name: bind(v) for name, v in binding.items()}))
    response = api.put(f"/api/pipelines/{pipeline.pk}/", {"name": "p", "description": "", "graph": graph, "parameters": []}, format="json")

    assert response.status_code == 400, response.json()
    problem = response.json()["problems"][0]
    assert (problem["code"], problem["node"], problem["port"]) == (code, "train", port)
    assert fragment in problem["message"]
    assert list(pipeline.versions.values_list("number", "graph")) == versions
