from typing import Any

from tests.pipelines.pipeline_factories import (
    check,
    component,
    document,
    node,
    param,
    port,
    sound_pipeline,
    source,
    value,
)


def test_it_accepts_a_sound_pipeline(catalog: Any) -> None:
    graph, parameters = sound_pipeline(catalog)
    assert check(graph, parameters) == []


def test_it_accepts_an_empty_canvas(db: Any) -> None:
    assert check({"schema_version": 1, "nodes": []}) == []


def test_it_lets_any_output_feed_file_and_untyped_inputs(catalog: Any) -> None:
    graph = document(
        node("train", catalog.train, data=source("load", "table"), rate=value(1)),
        node("load", catalog.load),
        node("a", catalog.anything, file=source("train", "model"), raw=source("train", "metrics")),
    )
    assert check(graph) == []


def test_it_lets_an_untyped_output_feed_a_typed_input(catalog: Any) -> None:
    # An untyped output promised nothing, so it may feed a Dataset input.
    graph = document(
        node("a", catalog.anything, file=value("ignored"), raw=value([1, 2])),
        node("b", catalog.anything, file=source("a", "out"), raw=source("a", "out")),
        node("train", catalog.train, data=source("b", "out"), rate=value(0.5)),
    )
    assert [p["code"] for p in check(graph)] == ["invalid_value"]  # only the constant for the File input


def test_it_accepts_value_types_kfp_spells_differently(db: Any) -> None:
    cv = component("Aliased", inputs=[port("n", "int"), port("flag", "Bool"), port("cfg", "JsonObject")])
    graph = document(node("a", cv, n=param("n"), flag=value("true"), cfg=value({"k": 1})))
    assert check(graph, [{"name": "n", "type": "Integer"}]) == []


def test_it_lets_an_integer_parameter_feed_a_float_input(catalog: Any) -> None:
    graph = document(
        node("load", catalog.load),
        node("train", catalog.train, data=source("load", "table"), rate=param("r")),
    )
    assert check(graph, [{"name": "r", "type": "Integer", "default": 1}]) == []
