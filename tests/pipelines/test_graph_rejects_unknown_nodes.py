from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node, source, value


def test_it_rejects_reading_from_a_node_that_does_not_exist(catalog: Any) -> None:
    graph = document(node("train", catalog.train, data=source("lod", "table"), rate=value(0.1)))
    problems = check(graph)
    assert codes(problems) == [("unknown_node", "train", "data")]
    assert '"lod"' in problems[0]["message"]
