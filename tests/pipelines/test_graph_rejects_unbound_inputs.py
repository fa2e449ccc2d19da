from typing import Any

from tests.pipelines.pipeline_factories import check, codes, component, document, node, port, source


def test_it_rejects_required_inputs_left_unbound(catalog: Any) -> None:
    graph = document(node("load", catalog.load), node("train", catalog.train, data=source("load", "table")))
    problems = check(graph)
    # n_estimators has a default and label is optional: only `rate` is missing.
    assert codes(problems) == [("unbound_input", "train", "rate")]
    assert "Float" in problems[0]["message"]


def test_it_lists_every_unbound_input_in_declaration_order(db: Any) -> None:
    cv = component("Needy", inputs=[port("z"), port("a", "String"), port("m", "Dataset"), port("o", "String", optional=True)])
    assert codes(check(document(node("n", cv)))) == [
        ("unbound_input", "n", "z"),
        ("unbound_input", "n", "a"),
        ("unbound_input", "n", "m"),
    ]
