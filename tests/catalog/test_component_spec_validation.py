"""catalog.spec: what a valid component file is, and how a bad one is reported (no database)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from catalog import spec as specs
from studio.errors import InvalidInput, Problem
from tests.catalog.catalog_factories import spec_dict, spec_yaml, with_args


def problems_of(data: Any) -> list[Problem]:
    return specs.validate_spec(data)


def messages(data: Any) -> list[str]:
    return [p.message for p in problems_of(data)]


def rejected(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        specs.load_component(text=text)
    return caught.value


def test_the_schema_itself_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(specs.SCHEMA)


def test_it_accepts_the_design_example() -> None:
    parsed = specs.load_component(text=spec_yaml())
    assert parsed.name == "Train random forest"
    assert parsed.category == "training"
    assert parsed.image == "pipeline-studio/sklearn:1"
    assert parsed.runnable is True
    assert parsed.spec == spec_dict()


def test_it_rejects_unknown_placeholder_input() -> None:
    spec = with_args("--data", {"inputPath": "training_data"}, "--n", {"inputValue": "n_trees"})
    [problem] = problems_of(spec)
    assert problem.code == "unknown_input"
    assert problem.field == "implementation.container.args[3].inputValue"
    assert problem.message == "implementation.container.args[3].inputValue: 'n_trees' is not a declared input"


def test_it_rejects_output_path_naming_an_input() -> None:
    [problem] = problems_of(with_args({"outputPath": "training_data"}))
    assert problem.code == "unknown_output"
    assert problem.field == "implementation.container.args[0].outputPath"
    assert "is not a declared output" in problem.message


def test_it_accepts_input_path_on_a_value_input() -> None:
    # KFP writes the value to a file; that is fine.
    assert problems_of(with_args({"inputPath": "n_estimators"}, {"inputUri": "training_data"}, {"outputUri": "model"})) == []


def test_it_finds_bad_references_inside_concat_and_if() -> None:
    spec = with_args(
        {"concat": ["--x=", {"inputValue": "nope"}]},
        {"if": {"cond": {"isPresent": "missing"}, "then": [{"inputValue": "n_estimators"}], "else": {"outputPath": "gone"}}},
        {"if": {"cond": True, "then": [{"if": {"cond": {"inputValue": "n_estimators"}, "then": [{"inputPath": "deep"}]}}]}},
    )
    assert sorted(p.field for p in problems_of(spec)) == [
        "implementation.container.args[0].concat[1].inputValue",
        "implementation.container.args[1].if.cond.isPresent",
        "implementation.container.args[1].if.else.outputPath",
        "implementation.container.args[2].if.then[0].if.then[0].inputPath",
    ]


def test_it_accepts_every_condition_kind() -> None:
    spec = with_args(
        {"if": {"cond": True, "then": ["a"]}},
        {"if": {"cond": "false", "then": "b", "else": "c"}},
        {"if": {"cond": {"isPresent": "n_estimators"}, "then": [{"inputValue": "n_estimators"}]}},
        {"if": {"cond": {"inputValue": "n_estimators"}, "then": ["--flag"]}},
        {"if": {"cond": {"concat": [{"inputValue": "n_estimators"}]}, "then": [7, 1.5, True]}},
    )
    assert problems_of(spec) == []


def test_it_rejects_unknown_placeholder_kinds_without_crashing() -> None:
    spec = with_args({"executorInput": None}, {"inputMetadata": "x"})
    spec["implementation"]["container"]["command"] = ["python3", {"outputMetadata": None}]
    problems = problems_of(spec)
    assert {p.code for p in problems} == {"unknown_placeholder"}
    assert [p.field for p in problems] == [
        "implementation.container.args[0].executorInput",
        "implementation.container.args[1].inputMetadata",
        "implementation.container.command[1].outputMetadata",
    ]
    assert "unknown placeholder 'executorInput'" in problems[0].message


def test_it_rejects_is_present_outside_a_condition() -> None:
    [problem] = problems_of(with_args({"isPresent": "n_estimators"}))
    assert problem.field == "implementation.container.args[0].isPresent"
    assert "only allowed as an `if` condition" in problem.message


@pytest.mark.parametrize(
    "arg",
    [{}, {"inputValue": "n_estimators", "inputPath": "training_data"}, None, ["nested", "list"], {"if": {"then": ["x"]}}],
)
def test_it_rejects_malformed_placeholders_with_their_path(arg: Any) -> None:
    problems = problems_of(with_args("ok", arg))
    assert problems
    assert all((p.field or "").startswith("implementation.container.args[1]") for p in problems)


def test_it_rejects_duplicate_port_names() -> None:
    spec = spec_dict(
        inputs=[{"name": "a"}, {"name": "b"}, {"name": "a"}],
        outputs=[{"name": "out"}, {"name": "out"}],
        implementation={"container": {"image": "x"}},
    )
    problems = problems_of(spec)
    assert [(p.code, p.field) for p in problems] == [
        ("duplicate_name", "inputs[2].name"),
        ("duplicate_name", "outputs[1].name"),
    ]
    assert "already declared at inputs[0]" in problems[0].message


def test_an_input_and_an_output_may_share_a_name() -> None:
    # Real KFP files do this (Remove header: `table` in, `table` out).
    spec = spec_dict(
        inputs=[{"name": "table"}],
        outputs=[{"name": "table"}],
        implementation={"container": {"image": "alpine", "args": [{"inputPath": "table"}, {"outputPath": "table"}]}},
    )
    assert problems_of(spec) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s.pop("name"), "name"),
        (lambda s: s.update(name="  "), "name"),
        (lambda s: s.pop("implementation"), "implementation"),
        (lambda s: s["implementation"]["container"].pop("image"), "implementation.container.image"),
        (lambda s: s["implementation"]["container"].update(image=""), "implementation.container.image"),
        (lambda s: s.update(implementation={}), "implementation"),
        (lambda s: s["inputs"][0].pop("name"), "inputs[0].name"),
    ],
)
def test_it_names_missing_required_fields(change: Any, field: str) -> None:
    spec = spec_dict()
    change(spec)
    assert field in [p.field for p in problems_of(spec)]


def test_it_rejects_unknown_category_but_keeps_unknown_annotation_keys() -> None:
    spec = spec_dict(metadata={"annotations": {"category": "magic", "author": "me", "x.io/team": "ml"}})
    [problem] = problems_of(spec)
    assert (problem.code, problem.field) == ("unknown_category", "metadata.annotations.category")
    assert "training" in problem.message  # lists the allowed values

    spec["metadata"]["annotations"]["category"] = "evaluation"
    parsed = specs.load_component(spec=spec)
    assert parsed.spec["metadata"]["annotations"] == {"category": "evaluation", "author": "me", "x.io/team": "ml"}


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ({"memory": "12 apples"}, "resources.memory"),
        ({"memory": "lots"}, "resources.memory"),
        ({"memory": 0}, "resources.memory"),
        ({"memory": [1]}, "resources.memory"),
        ({"cpu": 0}, "resources.cpu"),
        ({"cpu": "two"}, "resources.cpu"),
        ({"cpu": "nan"}, "resources.cpu"),
        ({"gpu": -1}, "resources.gpu"),
        ({"gpu": 1.5}, "resources.gpu"),
        ({"gpu": "1"}, "resources.gpu"),
        ({"disk": "1Gi"}, "resources.disk"),
    ],
)
def test_it_rejects_bad_resources(resources: dict[str, Any], field: str) -> None:
    assert [p.field for p in problems_of(spec_dict(resources=resources))] == [field]


@pytest.mark.parametrize(
    "resources",
    [{"cpu": 0.5, "memory": "512Mi"}, {"cpu": "250m", "memory": "2G", "gpu": 1}, {"memory": 1073741824}, {}, None],
)
def test_it_accepts_resource_spellings(resources: Any) -> None:
    assert problems_of(spec_dict(resources=resources)) == []


def test_it_rejects_unknown_keys_where_kubeflow_does() -> None:
    spec = spec_dict()
    spec["inputs"][1]["defualt"] = "3"
    spec["implementation"]["container"]["entrypoint"] = ["sh"]
    problems = problems_of(spec)
    assert [(p.code, p.field) for p in problems] == [
        ("unknown_key", "implementation.container.entrypoint"),
        ("unknown_key", "inputs[1].defualt"),
    ]


def test_it_keeps_unknown_top_level_keys() -> None:
    spec = spec_dict(version="1.2.0", **{"x-team": {"owner": "ml"}})
    parsed = specs.load_component(spec=spec)
    assert parsed.spec["version"] == "1.2.0"
    assert parsed.spec["x-team"] == {"owner": "ml"}


def test_env_and_file_outputs_must_be_text_maps() -> None:
    spec = spec_dict()
    spec["implementation"]["container"]["env"] = {"THREADS": 4}
    spec["implementation"]["container"]["fileOutputs"] = {"model": "/tmp/model", "ghost": "/tmp/ghost"}
    problems = problems_of(spec)
    assert [(p.code, p.field) for p in problems] == [
        ("invalid_type", "implementation.container.env.THREADS"),
        ("unknown_output", "implementation.container.fileOutputs.ghost"),
    ]


@pytest.mark.parametrize("default", ["100", 100, 0.5, True, None])
def test_defaults_may_be_any_scalar(default: Any) -> None:
    spec = spec_dict()
    spec["inputs"][1]["default"] = default
    assert problems_of(spec) == []


def test_a_default_must_not_be_structured() -> None:
    spec = spec_dict()
    spec["inputs"][1]["default"] = {"a": 1}
    [problem] = problems_of(spec)
    assert problem.field == "inputs[1].default"
    assert "JSON text" in problem.message


def test_types_may_be_names_mappings_or_absent() -> None:
    spec = spec_dict(
        inputs=[{"name": "a", "type": "CSV"}, {"name": "b", "type": {"GCSPath": {"data_type": "CSV"}}}, {"name": "c"}, {"name": "d", "type": None}],
        outputs=[{"name": "e", "type": ["not", "a", "type"]}],
        implementation={"container": {"image": "x"}},
    )
    assert [p.field for p in problems_of(spec)] == ["outputs[0].type"]


def test_it_reports_every_problem_at_once_sorted_by_field() -> None:
    spec = with_args({"inputValue": "x"}, {"outputPath": "y"}, resources={"memory": "lots"})
    spec["inputs"].append({"name": "training_data"})
    spec["implementation"]["container"]["image"] = 42
    error = rejected(yaml.safe_dump(spec))
    fields = [p.field for p in error.problems]
    assert fields == sorted(fields)
    assert fields == [
        "implementation.container.args[0].inputValue",
        "implementation.container.args[1].outputPath",
        "implementation.container.image",
        "inputs[2].name",
        "resources.memory",
    ]
    assert error.message.startswith("Invalid component spec: implementation.container.args[0].inputValue")
    assert error.message.endswith("(and 4 more)")


def test_it_reports_yaml_syntax_errors_with_the_line() -> None:
    error = rejected("name: x\nimplementation:\n  container: {image: a\n  bad: [\n")
    [problem] = error.problems
    assert problem.code == "invalid_yaml"
    assert "line 4" in problem.message


@pytest.mark.parametrize(("text", "what"), [("", "empty"), ("- a\n- b\n", "a list"), ("just text", "a string"), ("42", "an integer")])
def test_it_rejects_documents_that_are_not_mappings(text: str, what: str) -> None:
    [problem] = rejected(text).problems
    assert problem.code == "invalid_document"
    assert what.split()[-1] in problem.message


def test_it_keeps_dates_as_text() -> None:
    # PyYAML would make a date object, which is not JSON.
    parsed = specs.load_component(text=spec_yaml() + "released: 2024-01-31\n")
    assert parsed.spec["released"] == "2024-01-31"


def test_it_rejects_values_json_cannot_hold() -> None:
    problems = rejected(spec_yaml() + "ratio: .nan\n1: numeric key\n").problems
    assert {p.code for p in problems} == {"invalid_value", "invalid_key"}


def test_it_refuses_yaml_alias_bombs() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(12)
    )
    [problem] = rejected(bomb).problems
    assert problem.code == "invalid_yaml"
    assert "aliases" in problem.message


def test_graph_components_are_stored_but_not_runnable() -> None:
    spec = spec_dict(implementation={"graph": {"tasks": {"t": {"componentRef": {"name": "x"}}}}})
    parsed = specs.load_component(spec=spec)
    assert parsed.runnable is False
    assert parsed.image == ""


def test_a_component_has_one_implementation() -> None:
    spec = spec_dict()
    spec["implementation"]["graph"] = {"tasks": {}}
    [problem] = problems_of(spec)
    assert (problem.code, problem.field) == ("invalid_implementation", "implementation")


def test_the_digest_ignores_key_order_and_formatting() -> None:
    a = specs.load_component(text=spec_yaml())
    reordered = dict(reversed(list(spec_dict().items())))
    b = specs.load_component(text="# a comment\n" + yaml.safe_dump(reordered, default_flow_style=True))
    assert a.digest == b.digest == specs.spec_digest(spec_dict())
    assert len(a.digest) == 64

    changed = specs.load_component(spec=spec_dict(description="Something else."))
    assert changed.digest != a.digest


def test_load_component_does_not_mutate_or_share_the_callers_dict() -> None:
    original = spec_dict()
    parsed = specs.load_component(spec=original)
    parsed.spec["name"] = "changed"
    assert original["name"] == "Train random forest"
