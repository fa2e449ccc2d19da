from typing import Any

import pytest

from pipelines import graph as graph_lib
from tests.pipelines.pipeline_factories import check, codes, document, node, source, value


def test_it_migrates_a_v0_document_with_steps(catalog: Any) -> None:
    v0 = {"steps": [
        {"id": "load", "component_version": catalog.load.pk, "arguments": {}},
        {"id": "train", "component_version": catalog.train.pk, "position": {"x": 5, "y": 6},
         "arguments": {"data": {"from": {"node": "load", "output": "table"}}, "rate": {"value": 0.1}}},
    ]}
    migrated = graph_lib.migrate_graph(v0)
    assert migrated["schema_version"] == graph_lib.CURRENT_SCHEMA_VERSION
    assert "steps" not in migrated
    assert [n["id"] for n in migrated["nodes"]] == ["load", "train"]
    assert migrated["nodes"][0]["position"] == {"x": 0, "y": 0}
    assert migrated["nodes"][1]["position"] == {"x": 5, "y": 6}
    assert "schema_version" not in v0, "the caller's document is not modified"
    assert check(v0) == []


def test_it_leaves_a_current_document_as_it_is(catalog: Any) -> None:
    graph = document(node("load", catalog.load), node("train", catalog.train, data=source("load", "table"), rate=value(1)))
    assert graph_lib.migrate_graph(graph) == graph


def test_it_refuses_a_document_from_a_newer_server(catalog: Any) -> None:
    newer = {**document(node("load", catalog.load)), "schema_version": graph_lib.CURRENT_SCHEMA_VERSION + 1}
    with pytest.raises(graph_lib.GraphError, match="newer"):
        graph_lib.migrate_graph(newer)
    problems = check(newer)
    assert codes(problems) == [("invalid_document", None, None)]
    assert problems[0]["field"] == "schema_version"
    assert "schema_version 2" in problems[0]["message"] and "up to 1" in problems[0]["message"]


@pytest.mark.parametrize("version", [-1, "1", 1.5, True, None])
def test_it_rejects_a_schema_version_that_is_not_a_number(db: Any, version: Any) -> None:
    assert [(p["code"], p["field"]) for p in check({"schema_version": version, "nodes": []})] == [
        ("invalid_document", "schema_version")
    ]


def test_every_schema_version_has_a_migration_step() -> None:
    assert len(graph_lib.MIGRATIONS) == graph_lib.CURRENT_SCHEMA_VERSION
