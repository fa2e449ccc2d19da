from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node, source, value


def test_it_rejects_an_argument_for_an_input_the_component_lacks(catalog: Any) -> None:
    graph = document(node("load", catalog.load, dataset_name=value("iris")))
    problems = check(graph)
    assert codes(problems) == [("unknown_port", "load", "dataset_name")]
    assert "has no input" in problems[0]["message"]


def test_it_rejects_reading_an_output_the_upstream_lacks(catalog: Any) -> None:
    graph = document(node("load", catalog.load), node("train", catalog.train, data=source("load", "tabel"), rate=value(0.1)))
    problems = check(graph)
    assert codes(problems) == [("unknown_port", "train", "data")]
    assert '"tabel"' in problems[0]["message"] and '"load"' in problems[0]["message"]
    assert "outputs: table" in problems[0]["message"]
