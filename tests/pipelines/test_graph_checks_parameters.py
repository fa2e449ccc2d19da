from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node, param, source, value


def _train(catalog: Any, **arguments: Any) -> dict[str, Any]:
    return document(node("load", catalog.load), node("train", catalog.train, data=source("load", "table"), **arguments))


def test_it_rejects_a_binding_to_an_undeclared_parameter(catalog: Any) -> None:
    problems = check(_train(catalog, rate=param("learning_rate")), [{"name": "trees", "type": "Integer"}])
    assert codes(problems) == [("unknown_parameter", "train", "rate")]
    assert '"learning_rate"' in problems[0]["message"]


def test_it_rejects_duplicate_parameter_names(catalog: Any) -> None:
    parameters = [{"name": "rate", "type": "Float"}, {"name": "rate", "type": "Float", "default": 0.5}]
    problems = check(_train(catalog, rate=param("rate")), parameters)
    assert [(p["code"], p["field"]) for p in problems] == [("unknown_parameter", "parameters[1].name")]


def test_it_rejects_a_parameter_of_another_value_type(catalog: Any) -> None:
    problems = check(_train(catalog, rate=value(0.1), n_estimators=param("trees")), [{"name": "trees", "type": "String"}])
    assert codes(problems) == [("parameter_type", "train", "n_estimators")]
    assert "Integer" in problems[0]["message"] and "String" in problems[0]["message"]


def test_it_rejects_a_parameter_bound_to_an_artifact_input(catalog: Any) -> None:
    graph = document(node("train", catalog.train, data=param("path"), rate=value(0.1)))
    problems = check(graph, [{"name": "path", "type": "String"}])
    assert codes(problems) == [("parameter_type", "train", "data")]
    assert "Dataset" in problems[0]["message"]


def test_it_rejects_a_default_that_is_not_of_the_declared_type(catalog: Any) -> None:
    problems = check(_train(catalog, rate=param("rate")), [{"name": "rate", "type": "Float", "default": "fast"}])
    assert [(p["code"], p["field"]) for p in problems] == [("parameter_type", "parameters[0].default")]


def test_it_rejects_parameters_of_artifact_or_unknown_types(catalog: Any) -> None:
    parameters = [{"name": "data", "type": "Dataset"}, {"name": "x", "type": "Banana"}]
    problems = check(_train(catalog, rate=value(1)), parameters)
    assert [(p["code"], p["field"]) for p in problems] == [
        ("parameter_type", "parameters[0].type"),
        ("parameter_type", "parameters[1].type"),
    ]
