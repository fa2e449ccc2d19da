from typing import Any

from tests.pipelines.pipeline_factories import check, codes, document, node


def test_it_rejects_duplicate_node_ids(catalog: Any) -> None:
    problems = check(document(node("load", catalog.load), node("other", catalog.load), node("load", catalog.load, x=100)))
    assert codes(problems) == [("duplicate_node", "load", None)]
    assert problems[0]["field"] == "nodes[2].id"
    assert "nodes[0] and nodes[2]" in problems[0]["message"]


def test_it_reports_each_extra_copy(catalog: Any) -> None:
    problems = check(document(*[node("same", catalog.load) for _ in range(3)]))
    assert [(p["code"], p["field"]) for p in problems] == [
        ("duplicate_node", "nodes[1].id"),
        ("duplicate_node", "nodes[2].id"),
    ]
