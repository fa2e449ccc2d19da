from typing import Any

import pytest

from pipelines import graph as graph_lib
from tests.pipelines.pipeline_factories import document, node, source


def _doc() -> dict[str, Any]:
    # Listed out of order on purpose: evaluate first, load last.
    return document(
        node("evaluate", 3, model=source("train", "model"), data=source("split", "test")),
        node("train", 2, data=source("split", "train")),
        node("report", 4),
        node("split", 1, data=source("load", "table")),
        node("load", 1),
    )


def test_it_orders_every_node_after_its_upstreams() -> None:
    assert graph_lib.topological_order(_doc()) == ["report", "load", "split", "train", "evaluate"]


def test_it_lists_edges_by_consumer_then_input() -> None:
    assert graph_lib.edges(_doc()) == [
        graph_lib.Edge("split", "test", "evaluate", "data"),
        graph_lib.Edge("train", "model", "evaluate", "model"),
        graph_lib.Edge("split", "train", "train", "data"),
        graph_lib.Edge("load", "table", "split", "data"),
    ]


def test_it_lists_each_nodes_upstreams_once() -> None:
    graph = document(node("a", 1), node("b", 1, i=source("a", "o1"), j=source("a", "o2")), node("c", 1, z=source("b", "o")))
    assert graph_lib.dependencies(graph) == {"a": [], "b": ["a"], "c": ["b"]}


def test_it_refuses_to_order_a_cycle() -> None:
    graph = document(node("a", 1, i=source("b", "o")), node("b", 1, i=source("a", "o")), node("c", 1))
    with pytest.raises(graph_lib.GraphError) as caught:
        graph_lib.topological_order(graph)
    assert caught.value.problems[0].code == "cycle"


def test_it_reads_old_documents_too() -> None:
    old = {"steps": [{"id": "a", "component_version": 1}, {"id": "b", "component_version": 1, "arguments": {"i": source("a", "o")}}]}
    assert graph_lib.topological_order(old) == ["a", "b"]
