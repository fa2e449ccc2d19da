from typing import Any

from tests.pipelines.pipeline_factories import check, codes, component, document, node, port, source, value


def test_it_rejects_connecting_outputs_to_inputs_of_another_type(catalog: Any) -> None:
    graph = document(
        node("load", catalog.load),
        node("train", catalog.train, data=source("load", "table"), rate=value(0.1)),
        node("evaluate", catalog.evaluate, model=source("train", "metrics"), data=source("load", "table")),
    )
    problems = check(graph)
    assert codes(problems) == [("incompatible_types", "evaluate", "model")]
    # The message names both types, so the user knows what to connect instead.
    assert "Model" in problems[0]["message"] and "Metrics" in problems[0]["message"]


def test_it_treats_unknown_types_as_opaque_artifacts(db: Any) -> None:
    producer = component("Make parquet", outputs=[port("out", "ApacheParquet")])
    consumer = component("Read CSV", inputs=[port("csv", "CSV")])
    same = component("Read parquet", inputs=[port("data", {"ApacheParquet": {"compression": "snappy"}})])
    graph = document(node("p", producer), node("c", consumer, csv=source("p", "out")), node("s", same, data=source("p", "out")))
    problems = check(graph)
    assert codes(problems) == [("incompatible_types", "c", "csv")]
    assert "CSV" in problems[0]["message"] and "ApacheParquet" in problems[0]["message"]
