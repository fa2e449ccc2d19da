from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node, source


def test_it_rejects_cycles_naming_their_nodes(catalog: Any) -> None:
    graph = document(
        node("a", catalog.anything, file=source("c", "out"), raw=source("c", "out")),
        node("b", catalog.anything, file=source("a", "out"), raw=source("a", "out")),
        node("c", catalog.anything, file=source("b", "out"), raw=source("b", "out")),
    )
    problems = check(graph)
    # Reported once, not once per node on it; `port` is the input on `node` that closes the loop.
    assert codes(problems) == [("cycle", "a", "file")]
    assert "a → b → c → a" in problems[0]["message"]


def test_it_rejects_a_node_reading_its_own_output(catalog: Any) -> None:
    graph = document(node("a", catalog.anything, file=source("a", "out")))
    problems = check(graph)
    assert codes(problems) == [("cycle", "a", "file")]
    assert "a → a" in problems[0]["message"]


def test_it_reports_separate_cycles_separately_and_in_document_order(catalog: Any) -> None:
    graph = document(
        node("x", catalog.anything, file=source("y", "out")),
        node("start", catalog.anything),
        node("y", catalog.anything, file=source("x", "out")),
        node("p", catalog.anything, file=source("q", "out"), raw=source("start", "out")),
        node("q", catalog.anything, file=source("p", "out")),
    )
    problems = check(graph)
    assert codes(problems) == [("cycle", "x", "file"), ("cycle", "p", "file")]
    assert "x → y → x" in problems[0]["message"]
    assert "p → q → p" in problems[1]["message"]


def test_it_names_the_shortest_loop_of_tangled_cycles(catalog: Any) -> None:
    # a → b → c → a and b → c → b share nodes: one tangle, one problem, shortest loop through the first node.
    graph = document(
        node("a", catalog.anything, file=source("c", "out")),
        node("b", catalog.anything, file=source("a", "out"), raw=source("c", "out")),
        node("c", catalog.anything, file=source("b", "out")),
    )
    problems = check(graph)
    assert codes(problems) == [("cycle", "a", "file")]
    assert "a → b → c → a" in problems[0]["message"]


def test_it_does_not_call_a_diamond_a_cycle(catalog: Any) -> None:
    graph = document(
        node("top", catalog.anything),
        node("left", catalog.anything, file=source("top", "out")),
        node("right", catalog.anything, file=source("top", "out")),
        node("bottom", catalog.anything, file=source("left", "out"), raw=source("right", "out")),
    )
    assert check(graph) == []
