from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node, param, source, value


def _broken(catalog: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    graph = document(
        node("load", catalog.load, colour=value("red")),
        node("train", catalog.train, data=source("load", "table"), n_estimators=param("trees"), rate=value("fast")),
        node("evaluate", catalog.evaluate, model=source("train", "metrics"), data=source("nowhere", "table")),
        node("ghost", 424242),
        node("load", catalog.load),
        node("loop", catalog.anything, file=source("loop", "out")),
    )
    graph["nodes"][1]["retries"] = -1
    return graph, [{"name": "trees", "type": "String"}, {"name": "seed", "type": "Integer", "default": "x"}]


def test_it_reports_every_problem_in_one_pass(catalog: Any) -> None:
    graph, parameters = _broken(catalog)
    assert codes(check(graph, parameters)) == [
        # document shape first, then parameters, then nodes in document order, then cycles
        ("invalid_document", "train", None),
        ("parameter_type", None, None),
        ("unknown_port", "load", "colour"),
        ("parameter_type", "train", "n_estimators"),
        ("invalid_value", "train", "rate"),
        ("incompatible_types", "evaluate", "model"),
        ("unknown_node", "evaluate", "data"),
        ("unknown_component_version", "ghost", None),
        ("duplicate_node", "load", None),
        ("cycle", "loop", "file"),
    ]


def test_it_reports_problems_in_the_same_order_whatever_the_key_order(catalog: Any) -> None:
    # PostgreSQL's jsonb does not keep key order, so a stored graph reads back
    # with its keys shuffled; the problem list must not change with it.
    graph, parameters = _broken(catalog)
    shuffled = {"nodes": [dict(reversed(list(n.items()))) for n in graph["nodes"]], "schema_version": 1}
    for n in shuffled["nodes"]:
        n["arguments"] = dict(reversed(list(n["arguments"].items())))
    assert check(shuffled, parameters) == check(graph, parameters)
