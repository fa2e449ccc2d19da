from typing import Any

from tests.pipelines.pipeline_factories import check, codes, component, document, node, param, source


def test_it_rejects_unknown_component_versions(catalog: Any) -> None:
    problems = check(document(node("load", catalog.load), node("ghost", 987654)))
    assert codes(problems) == [("unknown_component_version", "ghost", None)]
    assert "987654" in problems[0]["message"]
    assert problems[0]["field"] == "nodes[1].component_version"


def test_it_still_checks_references_of_a_node_with_an_unknown_component(catalog: Any) -> None:
    graph = document(node("ghost", 987654, data=source("nowhere", "x"), n=param("undeclared")))
    assert codes(check(graph)) == [
        ("unknown_component_version", "ghost", None),
        ("unknown_node", "ghost", "data"),
        ("unknown_parameter", "ghost", "n"),
    ]


def test_it_does_not_guess_the_outputs_of_an_unknown_component(catalog: Any) -> None:
    graph = document(node("ghost", 987654), node("evaluate", catalog.evaluate, model=source("ghost", "m"), data=source("ghost", "d")))
    # Only the root cause: the downstream bindings cannot be judged.
    assert codes(check(graph)) == [("unknown_component_version", "ghost", None)]


def test_it_rejects_components_that_cannot_run(db: Any) -> None:
    nested = component("Nested pipeline", outputs=[], runnable=False)
    problems = check(document(node("sub", nested)))
    assert codes(problems) == [("not_runnable", "sub", None)]
    assert "Nested pipeline" in problems[0]["message"]
