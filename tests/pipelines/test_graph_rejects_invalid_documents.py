"""Shape errors come back as invalid_document problems that carry the path (`field`) and, where known, node and port."""

from typing import Any

import pytest

from tests.pipelines.pipeline_factories import check, codes, document, node, source, value


def test_it_rejects_a_graph_that_is_not_an_object(db: Any) -> None:
    problems = check(["not", "a", "graph"])
    assert codes(problems) == [("invalid_document", None, None)]
    assert problems[0]["field"] == "graph"


def test_it_rejects_nodes_that_are_not_a_list(db: Any) -> None:
    problems = check({"schema_version": 1, "nodes": {"a": {}}})
    assert [(p["code"], p["field"]) for p in problems] == [("invalid_document", "nodes")]


def test_it_rejects_unknown_top_level_fields(catalog: Any) -> None:
    # The editor must not think edges it sends are stored: they are derived from bindings.
    graph = {**document(node("load", catalog.load)), "edges": []}
    problems = check(graph)
    assert [(p["code"], p["field"]) for p in problems] == [("invalid_document", "edges")]


def test_it_names_the_path_of_each_malformed_node_field(catalog: Any) -> None:
    bad = {
        "id": "train",
        "component_version": catalog.train.pk,
        "position": {"x": "left", "y": 0},
        "arguments": {"data": {"from": "load"}, "rate": {"value": 1, "parameter": "p"}},
        "resources": {"cpu": -1, "memory": "lots", "gpu": 0.5, "disk": 3},
        "retries": 11,
        "timeout_seconds": 0,
        "colour": "red",
    }
    problems = check(document(node("load", catalog.load), bad))
    shape = [(p["code"], p["field"], p.get("node"), p.get("port")) for p in problems if p["code"] == "invalid_document"]
    assert shape == [
        ("invalid_document", "nodes[1].colour", "train", None),
        ("invalid_document", "nodes[1].position.x", "train", None),
        ("invalid_document", "nodes[1].resources.disk", "train", None),
        ("invalid_document", "nodes[1].resources.cpu", "train", None),
        ("invalid_document", "nodes[1].resources.memory", "train", None),
        ("invalid_document", "nodes[1].resources.gpu", "train", None),
        ("invalid_document", "nodes[1].retries", "train", None),
        ("invalid_document", "nodes[1].timeout_seconds", "train", None),
        ("invalid_document", "nodes[1].arguments.data.from", "train", "data"),
        ("invalid_document", "nodes[1].arguments.rate", "train", "rate"),
    ]
    # A malformed binding still counts as given: no unbound_input on top of it.
    assert "unbound_input" not in [p["code"] for p in problems]


@pytest.mark.parametrize(
    ("raw_id", "reason"),
    [(None, "missing"), ("", "not a valid node id"), ("has space", "not a valid node id"), ("x" * 65, "not a valid node id")],
)
def test_it_rejects_bad_node_ids(catalog: Any, raw_id: Any, reason: str) -> None:
    raw = node("n", catalog.load)
    if raw_id is None:
        del raw["id"]
    else:
        raw["id"] = raw_id
    problems = check(document(raw))
    assert [(p["code"], p["field"]) for p in problems] == [("invalid_document", "nodes[0].id")]
    assert reason in problems[0]["message"]


def test_it_requires_a_component_version_id_and_a_position(catalog: Any) -> None:
    problems = check(document({"id": "a", "component_version": "12"}, {"id": "b", "component_version": True, "position": []}))
    assert [(p["field"], p["node"]) for p in problems] == [
        ("nodes[0].component_version", "a"),
        ("nodes[0].position", "a"),
        ("nodes[1].component_version", "b"),
        ("nodes[1].position", "b"),
    ]


def test_it_accepts_kubernetes_quantities_and_null_resources(catalog: Any) -> None:
    raw = node("load", catalog.load)
    raw["resources"] = {"cpu": "500m", "memory": "1.5Gi", "gpu": None}
    raw.update(retries=10, timeout_seconds=3600, label="Load it")
    assert check(document(raw)) == []


def test_it_rejects_malformed_parameters_with_their_path(catalog: Any) -> None:
    graph = document(node("load", catalog.load))
    problems = check(graph, [{"name": "1st", "type": "Integer"}, "trees", {"name": "ok", "type": "String", "unit": "m"}])
    assert [(p["code"], p["field"]) for p in problems] == [
        ("invalid_document", "parameters[0].name"),
        ("invalid_document", "parameters[1]"),
        ("invalid_document", "parameters[2].unit"),
    ]


def test_it_refuses_an_oversized_graph(catalog: Any) -> None:
    graph = document(*[node(f"n{i}", catalog.load) for i in range(501)])
    assert [(p["code"], p["field"]) for p in check(graph)] == [("invalid_document", "nodes")]


def test_it_reports_a_null_constant_as_an_invalid_value(catalog: Any) -> None:
    graph = document(node("load", catalog.load), node("train", catalog.train, data=source("load", "table"), rate=value(None)))
    assert codes(check(graph)) == [("invalid_value", "train", "rate")]


def test_it_rejects_text_postgresql_cannot_store(catalog: Any) -> None:
    graph = document(node("load", catalog.load, dataset_name=value("iris\x00")))
    problems = check(graph, [{"name": "p\x00", "type": "String"}])
    assert [(p["code"], p["field"]) for p in problems] == [
        ("invalid_document", "nodes[0].arguments.dataset_name.value"),
        ("invalid_document", "parameters[0].name"),
    ]


def test_it_rejects_numbers_too_large_for_the_database(catalog: Any) -> None:
    raw = node("load", 2**64)
    raw["timeout_seconds"] = 2**40
    assert [p["field"] for p in check(document(raw))] == ["nodes[0].component_version", "nodes[0].timeout_seconds"]
