from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node, source, value


def test_it_rejects_a_constant_not_of_the_input_type(catalog: Any) -> None:
    graph = document(
        node("load", catalog.load),
        node("train", catalog.train, data=source("load", "table"), rate=value("fast"), n_estimators=value(2.5), label=value({"a": 1})),
    )
    problems = check(graph)
    assert codes(problems) == [
        ("invalid_value", "train", "n_estimators"),
        ("invalid_value", "train", "rate"),
        ("invalid_value", "train", "label"),
    ]
    assert "Float" in problems[1]["message"]


def test_it_accepts_constants_kfp_would_accept_as_text(catalog: Any) -> None:
    graph = document(
        node("load", catalog.load),
        node("train", catalog.train, data=source("load", "table"), rate=value("0.25"), n_estimators=value("300"), label=value(7)),
    )
    assert check(graph) == []


def test_it_rejects_a_constant_for_an_artifact_input(catalog: Any) -> None:
    graph = document(node("train", catalog.train, data=value("/tmp/iris.csv"), rate=value(0.1)))
    problems = check(graph)
    assert codes(problems) == [("invalid_value", "train", "data")]
    assert "Dataset" in problems[0]["message"]
