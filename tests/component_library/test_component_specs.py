"""Static checks of the built-in component library and the demo pipeline.

Needs only PyYAML: no Django, no scikit-learn, no Docker.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "component_library"
NOT_COMPONENTS = {"pipelines"}

REQUIRED = {
    "load_builtin_dataset",
    "csv_from_file",
    "train_test_split",
    "standard_scaler",
    "train_classifier",
    "evaluate_classifier",
    "batch_predict",
    "run_python_script",
    "noop",
}
CATEGORIES = {
    "data-ingest",
    "data-processing",
    "training",
    "evaluation",
    "batch-inference",
    "hyperparameter-search",
    "test",
    "other",
}
VALUE_TYPES = {"String", "Integer", "Float", "Boolean", "JSON"}
ARTIFACT_TYPES = {"Dataset", "Model", "Metrics", "ConfusionMatrix", "ROC", "Table", "Markdown", "File"}
SKLEARN_IMAGE = "pipeline-studio/sklearn:1"
BASE_IMAGE = "pipeline-studio/base:1"


def component_dirs() -> list[Path]:
    return sorted(
        p
        for p in LIBRARY.iterdir()
        if p.is_dir() and p.name not in NOT_COMPONENTS and not p.name.startswith((".", "_"))
    )


def load_spec(folder: Path) -> dict[str, Any]:
    with open(folder / "component.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


SPECS = {folder.name: load_spec(folder) for folder in component_dirs()}
by_name = pytest.mark.parametrize("folder", sorted(SPECS))


def placeholders(node: Any) -> Iterator[tuple[str, str]]:
    """Yield (kind, port) for every placeholder in a command/args tree."""
    if isinstance(node, list):
        for item in node:
            yield from placeholders(item)
    elif isinstance(node, dict):
        assert len(node) == 1, f"a placeholder has exactly one key: {node}"
        ((kind, value),) = node.items()
        if kind in ("inputValue", "inputPath", "outputPath"):
            assert isinstance(value, str), node
            yield kind, value
        elif kind == "concat":
            assert isinstance(value, list), node
            yield from placeholders(value)
        elif kind == "if":
            assert set(value) <= {"cond", "then", "else"}, node
            cond = value["cond"]
            assert set(cond) == {"isPresent"}, f"only isPresent conditions are used here: {cond}"
            yield "isPresent", cond["isPresent"]
            yield from placeholders(value.get("then", []))
            yield from placeholders(value.get("else", []))
        else:
            raise AssertionError(f"unknown placeholder {kind!r}")
    else:
        assert isinstance(node, str | int | float), f"unexpected element {node!r}"


def guarded_ports(node: Any, inside_if: bool = False) -> Iterator[tuple[str, bool]]:
    """Yield (input name, whether it sits inside an `if`) for value/path placeholders."""
    if isinstance(node, list):
        for item in node:
            yield from guarded_ports(item, inside_if)
    elif isinstance(node, dict):
        ((kind, value),) = node.items()
        if kind in ("inputValue", "inputPath"):
            yield value, inside_if
        elif kind == "concat":
            yield from guarded_ports(value, inside_if)
        elif kind == "if":
            yield from guarded_ports(value.get("then", []), True)
            yield from guarded_ports(value.get("else", []), True)


def test_it_has_the_required_components() -> None:
    assert REQUIRED <= set(SPECS), f"missing: {REQUIRED - set(SPECS)}"
    assert len(SPECS) >= 9


@by_name
def test_each_folder_has_spec_code_and_readme(folder: str) -> None:
    path = LIBRARY / folder
    assert (path / "component.yaml").is_file()
    assert (path / "README.md").read_text(encoding="utf-8").strip()
    assert list(path.glob("*.py")), "a component folder holds its Python code"


@by_name
def test_spec_has_the_required_keys(folder: str) -> None:
    spec = SPECS[folder]
    assert isinstance(spec["name"], str) and spec["name"].strip()
    assert "\n" in spec["description"].strip(), "description is multi-line"
    assert spec["metadata"]["annotations"]["category"] in CATEGORIES
    container = spec["implementation"]["container"]
    assert {"image", "command", "args", "env"} <= set(container)
    assert container["env"] == {"PYTHONUNBUFFERED": "1"}
    resources = spec["resources"]
    assert set(resources) == {"cpu", "memory", "gpu"}
    assert 0 < float(resources["cpu"]) <= 1 and resources["gpu"] == 0
    assert re.fullmatch(r"\d+(Mi|Gi)", resources["memory"])
    assert spec["source"] == {"repo": "pipeline-studio", "path": f"component_library/{folder}"}


@by_name
def test_ports_are_typed_and_named_once(folder: str) -> None:
    spec = SPECS[folder]
    names = []
    for port in spec.get("inputs", []):
        assert port["type"] in VALUE_TYPES | ARTIFACT_TYPES, port
        if "default" in port:
            assert isinstance(port["default"], str), f"defaults are strings, like KFP: {port}"
            assert port["type"] in VALUE_TYPES, f"artifact inputs have no default: {port}"
        names.append(port["name"])
    for port in spec["outputs"]:
        assert port["type"] in ARTIFACT_TYPES, f"outputs are artifacts: {port}"
        names.append(port["name"])
    assert len(names) == len(set(names)), f"duplicate port names: {names}"
    for name in names:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name), name


@by_name
def test_placeholders_name_declared_ports_of_the_right_kind(folder: str) -> None:
    spec = SPECS[folder]
    inputs = {p["name"]: p for p in spec.get("inputs", [])}
    outputs = {p["name"]: p for p in spec["outputs"]}
    container = spec["implementation"]["container"]
    used_inputs: set[str] = set()
    output_uses: list[str] = []
    for kind, port in placeholders([container["command"], container["args"]]):
        if kind == "outputPath":
            assert port in outputs, f"outputPath names unknown output {port!r}"
            output_uses.append(port)
            continue
        assert port in inputs, f"{kind} names unknown input {port!r}"
        used_inputs.add(port)
        if kind == "inputValue":
            assert inputs[port]["type"] in VALUE_TYPES, f"inputValue of artifact {port!r}"
        elif kind == "inputPath":
            assert inputs[port]["type"] in ARTIFACT_TYPES, f"inputPath of value {port!r}"
        else:  # isPresent
            assert inputs[port].get("optional"), f"isPresent on non-optional input {port!r}"
    assert used_inputs == set(inputs), f"unused inputs: {set(inputs) - used_inputs}"
    assert sorted(output_uses) == sorted(outputs), "each output gets exactly one outputPath"


@by_name
def test_optional_inputs_without_default_are_guarded(folder: str) -> None:
    # An absent optional input has no value to substitute, so it may only be
    # referenced inside `if: {cond: {isPresent: ...}}`.
    spec = SPECS[folder]
    container = spec["implementation"]["container"]
    risky = {p["name"] for p in spec.get("inputs", []) if p.get("optional") and "default" not in p}
    for port, inside_if in guarded_ports(container["args"]):
        if port in risky:
            assert inside_if, f"optional input {port!r} used outside an isPresent guard"


def test_the_library_exercises_if_and_concat() -> None:
    kinds = set()
    for spec in SPECS.values():
        container = spec["implementation"]["container"]
        kinds |= {kind for kind, _ in placeholders(container["args"])}
    text = "\n".join((LIBRARY / f / "component.yaml").read_text() for f in SPECS)
    assert "isPresent" in kinds
    assert "concat:" in text


@by_name
def test_images_are_the_worker_images(folder: str) -> None:
    image = SPECS[folder]["implementation"]["container"]["image"]
    assert image == (BASE_IMAGE if folder == "noop" else SKLEARN_IMAGE)


@by_name
def test_command_scripts_exist_and_compile(folder: str) -> None:
    command = SPECS[folder]["implementation"]["container"]["command"]
    assert command[0] == "python3"
    scripts = [c for c in command if isinstance(c, str) and c.startswith("/components/")]
    if folder == "noop":
        assert command[1] == "-c" and not scripts
        return
    assert len(scripts) == 1, command
    relative = Path(scripts[0]).relative_to("/components")
    assert relative.parts[0] == folder, "a component runs code from its own folder"
    path = LIBRARY / relative
    assert path.is_file(), f"{scripts[0]} -> {path} does not exist"
    compile(path.read_text(encoding="utf-8"), str(path), "exec")  # a SyntaxError fails the test


@by_name
def test_every_flag_in_args_is_declared_by_the_script(folder: str) -> None:
    container = SPECS[folder]["implementation"]["container"]
    if folder == "noop":
        source = container["command"][2]
    else:
        source = (LIBRARY / container["command"][1].removeprefix("/components/")).read_text()
    declared = set(re.findall(r"add_argument\(\s*['\"](--[\w-]+)['\"]", source))

    def flags(node: Any) -> Iterator[str]:
        if isinstance(node, list):
            for item in node:
                yield from flags(item)
        elif isinstance(node, dict):
            ((kind, value),) = node.items()
            if kind == "if":
                yield from flags(value.get("then", []))
                yield from flags(value.get("else", []))
        elif isinstance(node, str) and node.startswith("--"):
            yield node

    used = set(flags(container["args"]))
    assert used, "args pass named flags"
    assert used <= declared, f"flags not declared by the script: {used - declared}"


def test_noop_inline_program_matches_noop_py() -> None:
    command = SPECS["noop"]["implementation"]["container"]["command"]
    assert command[:2] == ["python3", "-c"]
    assert command[2] == (LIBRARY / "noop" / "noop.py").read_text(encoding="utf-8")


def test_noop_program_uses_only_the_standard_library() -> None:
    source = SPECS["noop"]["implementation"]["container"]["command"][2]
    imported = set(re.findall(r"^\s*(?:import|from)\s+([\w, ]+)", source, flags=re.M))
    modules = {m.strip() for line in imported for m in line.split(",")}
    assert modules <= {"argparse", "os", "signal", "sys", "time"}, modules


def test_library_readme_lists_every_component() -> None:
    readme = (LIBRARY / "README.md").read_text(encoding="utf-8")
    for folder in SPECS:
        assert f"`{folder}`" in readme, f"{folder} missing from component_library/README.md"


# --- the demo pipeline -------------------------------------------------------

PIPELINE_FILES = sorted((LIBRARY / "pipelines").glob("*.json"))
PYTHON_TYPES = {"String": str, "Integer": int, "Float": (int, float), "Boolean": bool, "JSON": (dict, list)}


def test_the_iris_demo_exists() -> None:
    assert LIBRARY / "pipelines" / "iris_demo.json" in PIPELINE_FILES


@pytest.mark.parametrize("path", PIPELINE_FILES, ids=lambda p: p.name)
def test_pipeline_references_existing_components_and_ports(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["name"] and doc["description"]
    graph = doc["graph"]
    assert graph["schema_version"] == 1
    parameters = {p["name"]: p for p in doc.get("parameters", [])}
    for param in parameters.values():
        assert isinstance(param["default"], PYTHON_TYPES[param["type"]])
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert len(nodes) == len(graph["nodes"]), "node ids are unique"

    used_parameters = set()
    for node in graph["nodes"]:
        assert "component_version" not in node
        spec = SPECS.get(node["component"])
        assert spec is not None, f"node {node['id']}: unknown component {node['component']!r}"
        assert set(node["position"]) == {"x", "y"}
        inputs = {p["name"]: p for p in spec.get("inputs", [])}
        for port, binding in node["arguments"].items():
            assert port in inputs, f"node {node['id']}: unknown input {port!r}"
            wanted = inputs[port]["type"]
            (kind,) = binding.keys()
            if kind == "value":
                assert isinstance(binding["value"], PYTHON_TYPES[wanted]), f"{node['id']}.{port}"
                assert not (wanted in ("Integer", "Float") and isinstance(binding["value"], bool))
            elif kind == "parameter":
                param = parameters[binding["parameter"]]
                assert param["type"] == wanted, f"{node['id']}.{port}: {param['type']} vs {wanted}"
                used_parameters.add(param["name"])
            elif kind == "from":
                source = nodes[binding["from"]["node"]]
                outputs = {p["name"]: p for p in SPECS[source["component"]]["outputs"]}
                produced = outputs[binding["from"]["output"]]["type"]
                assert produced == wanted or wanted == "File", f"{node['id']}.{port}: {produced} -> {wanted}"
            else:
                raise AssertionError(f"unknown binding {binding}")
        required = {n for n, p in inputs.items() if "default" not in p and not p.get("optional")}
        assert required <= set(node["arguments"]), f"node {node['id']}: unbound {required - set(node['arguments'])}"
    assert used_parameters == set(parameters), "every pipeline parameter is used"

    # No cycles: repeatedly remove nodes whose upstreams are all removed.
    upstream = {
        n["id"]: {b["from"]["node"] for b in n["arguments"].values() if "from" in b} for n in graph["nodes"]
    }
    done: set[str] = set()
    while len(done) < len(upstream):
        ready = {n for n, ups in upstream.items() if n not in done and ups <= done}
        assert ready, f"cycle among {set(upstream) - done}"
        done |= ready


def test_iris_demo_is_load_split_train_evaluate_left_to_right() -> None:
    doc = json.loads((LIBRARY / "pipelines" / "iris_demo.json").read_text(encoding="utf-8"))
    nodes = doc["graph"]["nodes"]
    assert [n["component"] for n in nodes] == [
        "load_builtin_dataset",
        "train_test_split",
        "train_classifier",
        "evaluate_classifier",
    ]
    assert [n["position"]["x"] for n in nodes] == [0, 280, 560, 840]
    assert doc["parameters"] == [{"name": "trees", "type": "Integer", "default": 100}]
    train = next(n for n in nodes if n["component"] == "train_classifier")
    assert train["arguments"]["n_estimators"] == {"parameter": "trees"}
