"""The helpers other apps use on a stored spec: ports, resources, category, placeholders."""

from __future__ import annotations

from catalog import spec as specs
from tests.catalog.catalog_factories import spec_dict


def test_input_ports_normalise_types_and_defaults() -> None:
    spec = spec_dict(
        inputs=[
            {"name": "data", "type": {"GCSPath": {"data_type": "CSV"}}, "description": "Where the data is."},
            {"name": "n", "type": "int", "default": 100},
            {"name": "flag", "type": "Bool", "default": True, "optional": True},
            {"name": "raw"},
        ]
    )
    assert specs.input_ports(spec) == [
        {"name": "data", "type": "GCSPath", "description": "Where the data is.", "default": None, "optional": False},
        {"name": "n", "type": "Integer", "description": None, "default": "100", "optional": False},
        {"name": "flag", "type": "Boolean", "description": None, "default": "true", "optional": True},
        {"name": "raw", "type": None, "description": None, "default": None, "optional": False},
    ]


def test_output_ports_have_no_defaults_and_are_never_optional() -> None:
    assert specs.output_ports(spec_dict()) == [
        {"name": "model", "type": "Model", "description": None, "default": None, "optional": False},
        {"name": "metrics", "type": "Metrics", "description": None, "default": None, "optional": False},
    ]
    assert specs.output_ports({"name": "x", "implementation": {}}) == []


def test_an_input_is_required_unless_optional_or_defaulted() -> None:
    ports = specs.input_ports(
        spec_dict(inputs=[{"name": "a"}, {"name": "b", "default": ""}, {"name": "c", "optional": True}])
    )
    assert [specs.port_required(p) for p in ports] == [True, False, False]


def test_resources_fill_in_defaults() -> None:
    assert specs.resources(spec_dict(resources=None)) == {"cpu": 1.0, "memory_bytes": 1024**3, "gpu": 0}
    assert specs.resources(spec_dict(resources={"cpu": "500m", "memory": "512Mi", "gpu": 1})) == {
        "cpu": 0.5,
        "memory_bytes": 512 * 1024**2,
        "gpu": 1,
    }
    assert specs.resources(spec_dict(resources={"memory": "2G"}))["memory_bytes"] == 2 * 10**9


def test_category_defaults_to_other() -> None:
    assert specs.category(spec_dict()) == "training"
    assert specs.category(spec_dict(metadata=None)) == "other"
    assert specs.category(spec_dict(metadata={"annotations": {"author": "x"}})) == "other"


def test_iter_placeholders_walks_nested_arguments() -> None:
    spec = spec_dict()
    spec["implementation"]["container"]["command"] = ["sh", {"concat": ["a", {"inputValue": "n_estimators"}]}]
    spec["implementation"]["container"]["args"] = [
        {"if": {"cond": {"isPresent": "n_estimators"}, "then": [{"outputPath": "model"}], "else": {"inputPath": "training_data"}}}
    ]
    assert list(specs.iter_placeholders(spec)) == [
        ("implementation.container.command[1].concat[1].inputValue", "inputValue", "n_estimators"),
        ("implementation.container.args[0].if.cond.isPresent", "isPresent", "n_estimators"),
        ("implementation.container.args[0].if.then[0].outputPath", "outputPath", "model"),
        ("implementation.container.args[0].if.else.inputPath", "inputPath", "training_data"),
    ]
