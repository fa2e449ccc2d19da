"""The pipeline graph document (DESIGN.md "Pipeline graph"): migration, validation, traversal.

Pure logic: no HTTP and no database. Callers load the ComponentVersions a
graph references (`component_version_ids` says which) and pass them in, so the
same checks serve saving, `POST /api/pipelines/validate/` and the engine.

A document looks like::

    {"schema_version": 1,
     "nodes": [{"id", "component_version", "label"?, "position": {"x", "y"},
                "arguments": {input: {"value": v} | {"parameter": name}
                                     | {"from": {"node": id, "output": name}}
                                     | {"dataset": {"id": dataset id, "version": n | "latest"}}},
                "resources"?: {"cpu", "memory", "gpu"}, "retries"?: 0..10,
                "timeout_seconds"?: int > 0,
                "publish"?: [{"output": name, "dataset": dataset name, "kind"?: "dataset" | "model"}]}]}

A dataset binding reads a version of a dataset (pinned, or the newest one,
pinned when the run is created); a publish declaration saves the node's output
as a new version of the named dataset when the step completes (the dataset is
created if missing).

and pipeline parameters travel beside it:
``[{"name", "type" (a value type), "default"?, "description"?}]``.

`validate` returns every problem at once, in a deterministic order: document
shape, then parameters, then each node in document order (its inputs in the
order its component declares them), then cycles.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from catalog.types import ACCEPTS_ANY, VALUE_TYPES, coerce_value, compatible, is_value_type, type_name
from studio.errors import Problem

if TYPE_CHECKING:
    from catalog.models import ComponentVersion

CURRENT_SCHEMA_VERSION = 1

# Node ids end up in container names (`ps-<run>-<step>-<attempt>`), in URLs
# (`/api/runs/{id}/steps/{node}/logs/`) and in StepRun.node_id, so they are
# restricted to what is safe in all three.
NODE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Parameter names are keys of a run's `parameters` object and appear in CLI flags.
PARAMETER_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
# Kubernetes-style quantities, which is what component specs use ("1Gi", "500m").
MEMORY_RE = re.compile(r"^[0-9]+(\.[0-9]+)?([EPTGMK]i|[EPTGMk])?$")
CPU_RE = re.compile(r"^[0-9]+(\.[0-9]+)?m?$")
# A canvas with more nodes than this is a mistake or an attack, not a pipeline.
MAX_NODES = 500
MAX_RETRIES = 10
# StepRun.timeout_seconds is a 32-bit column; a month is already more than any step should take.
MAX_TIMEOUT_SECONDS = 30 * 24 * 3600
# Ids are bigint columns: a larger number would be a database error, not "unknown".
MAX_ID = 2**63 - 1

DOCUMENT_KEYS = frozenset({"schema_version", "nodes"})
NODE_KEYS = frozenset(
    {"id", "component_version", "label", "position", "arguments", "resources", "retries", "timeout_seconds", "publish"}
)
PUBLISH_KEYS = frozenset({"output", "dataset", "kind"})
DATASET_KINDS = ("dataset", "model")
# Which input types a version of each dataset kind may feed (plus File and untyped, as for outputs).
DATASET_KIND_TYPES = {"dataset": frozenset({"Dataset", "Table"}), "model": frozenset({"Model"})}
MAX_DATASET_NAME = 200
RESOURCE_KEYS = frozenset({"cpu", "memory", "gpu"})
PARAMETER_KEYS = frozenset({"name", "type", "default", "description"})
BINDING_KINDS = ("value", "parameter", "from", "dataset")


class GraphError(ValueError):
    """A document that cannot be read at all (not an object, unknown schema version, a cycle)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or [Problem(code="invalid_document", message=message)]


class DatasetRef(NamedTuple):
    """What validation needs to know about a dataset a graph refers to (the caller loads them:
    datasets.selectors.datasets_for_graph)."""

    id: int
    name: str
    kind: str  # "dataset" | "model"
    latest_version: int  # 0 while it has no versions


class Edge(NamedTuple):
    """Data flows from `source`'s output `output` into `target`'s input `input`."""

    source: str
    output: str
    target: str
    input: str


# ---------------------------------------------------------------------------
# Schema versions


def _v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """v0 (the editor prototype, no `schema_version`) called nodes `steps` and allowed no position.

    A v0 document that already says `nodes` just gains its version number.
    """
    if "steps" in doc and "nodes" not in doc:
        doc["nodes"] = doc.pop("steps")
    nodes = doc.get("nodes")
    if isinstance(nodes, list):
        for node in nodes:
            if isinstance(node, dict) and "position" not in node:
                node["position"] = {"x": 0, "y": 0}
    return doc


# MIGRATIONS[n] turns a version-n document into a version-(n+1) one; each step
# is small and tested, and a document is walked through all that apply.
MIGRATIONS: tuple[Callable[[dict[str, Any]], dict[str, Any]], ...] = (_v0_to_v1,)
assert len(MIGRATIONS) == CURRENT_SCHEMA_VERSION


def migrate_graph(graph: Any) -> dict[str, Any]:
    """A copy of `graph` brought up to CURRENT_SCHEMA_VERSION.

    A missing `schema_version` means 0. A newer version than this server knows
    is refused (raises GraphError): silently dropping fields we do not
    understand would lose the user's work on the next save.
    """
    if not isinstance(graph, dict):
        raise GraphError(
            f"The graph must be a JSON object, not {_json_type(graph)}.",
            [Problem(code="invalid_document", message=f"graph: expected an object, got {_json_type(graph)}.", field="graph")],
        )
    version = graph.get("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise GraphError(
            "schema_version must be a non-negative integer.",
            [Problem(code="invalid_document", message=f"schema_version: expected a non-negative integer, got {version!r}.", field="schema_version")],
        )
    if version > CURRENT_SCHEMA_VERSION:
        message = (
            f"This graph has schema_version {version}, but this server understands up to "
            f"{CURRENT_SCHEMA_VERSION}; it was saved by a newer Pipeline Studio. Upgrade the server to open it."
        )
        raise GraphError(message, [Problem(code="invalid_document", message=message, field="schema_version")])
    doc = copy.deepcopy(graph)
    for step in MIGRATIONS[version:]:
        doc = step(doc)
    doc["schema_version"] = CURRENT_SCHEMA_VERSION
    return doc


# ---------------------------------------------------------------------------
# Parsing: shape checks that produce `invalid_document` problems with a path.


@dataclass
class _Binding:
    kind: str
    value: Any = None
    parameter: str = ""
    node: str = ""
    output: str = ""
    dataset: int = 0
    dataset_version: int | str = "latest"


@dataclass
class _Publish:
    index: int
    output: str
    dataset: str
    kind: str | None


@dataclass
class _Node:
    id: str
    index: int
    component_version: int | None
    # None marks a binding whose shape was already reported: it counts as "given"
    # (no unbound_input on top) but is not checked further.
    arguments: dict[str, _Binding | None] = field(default_factory=dict)
    publish: list[_Publish] = field(default_factory=list)


@dataclass
class _Parameter:
    name: str
    type: str | None  # None when the declared type is unusable (already reported)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) and math.isfinite(value)


class _Shape:
    """Collects invalid_document problems while walking a document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, path: str, reason: str, *, node: str | None = None, port: str | None = None) -> None:
        self.problems.append(Problem(code="invalid_document", message=f"{path}: {reason}", node=node, port=port, field=path))

    def unknown_keys(self, obj: dict[str, Any], allowed: frozenset[str], path: str, *, node: str | None = None) -> None:
        for key in sorted(set(obj) - allowed):
            self.bad(f"{path}.{key}" if path else key, f"unknown field (allowed: {', '.join(sorted(allowed))}).", node=node)


def _nul_paths(value: Any, path: str) -> Iterable[str]:
    """Paths of strings (keys included) containing U+0000, which PostgreSQL's jsonb cannot store."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                yield child
            else:
                yield from _nul_paths(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")


def _parse_nodes(doc: dict[str, Any], shape: _Shape) -> list[_Node]:
    shape.unknown_keys(doc, DOCUMENT_KEYS, "")
    raw_nodes = doc.get("nodes", [])
    if not isinstance(raw_nodes, list):
        shape.bad("nodes", f"expected an array of nodes, got {_json_type(raw_nodes)}.")
        return []
    if len(raw_nodes) > MAX_NODES:
        shape.bad("nodes", f"a pipeline may have at most {MAX_NODES} nodes, this one has {len(raw_nodes)}.")
        return []
    nodes: list[_Node] = []
    for index, raw in enumerate(raw_nodes):
        node = _parse_node(raw, index, shape)
        if node is not None:
            nodes.append(node)
    return nodes


def _parse_node(raw: Any, index: int, shape: _Shape) -> _Node | None:
    path = f"nodes[{index}]"
    if not isinstance(raw, dict):
        shape.bad(path, f"expected a node object, got {_json_type(raw)}.")
        return None
    raw_id = raw.get("id")
    node_id = raw_id if isinstance(raw_id, str) and NODE_ID_RE.match(raw_id) else None
    if "id" not in raw:
        shape.bad(f"{path}.id", "missing.")
    elif node_id is None:
        shape.bad(
            f"{path}.id",
            f"{raw_id!r} is not a valid node id (1-64 letters, digits, '_', '-' or '.', starting with a letter or digit).",
        )
    shape.unknown_keys(raw, NODE_KEYS, path, node=node_id)

    cv = raw.get("component_version")
    if "component_version" not in raw:
        shape.bad(f"{path}.component_version", "missing.", node=node_id)
        cv = None
    elif not _is_int(cv) or not 0 < cv <= MAX_ID:
        shape.bad(f"{path}.component_version", f"expected a component version id (a positive integer), got {cv!r}.", node=node_id)
        cv = None

    if "label" in raw and not (isinstance(raw["label"], str) and len(raw["label"]) <= 200):
        shape.bad(f"{path}.label", "expected a string of at most 200 characters.", node=node_id)

    position = raw.get("position")
    if "position" not in raw:
        shape.bad(f"{path}.position", "missing (expected {\"x\": number, \"y\": number}).", node=node_id)
    elif not isinstance(position, dict):
        shape.bad(f"{path}.position", f"expected an object {{x, y}}, got {_json_type(position)}.", node=node_id)
    else:
        shape.unknown_keys(position, frozenset({"x", "y"}), f"{path}.position", node=node_id)
        for axis in ("x", "y"):
            if not _is_number(position.get(axis)):
                shape.bad(f"{path}.position.{axis}", f"expected a number, got {position.get(axis)!r}.", node=node_id)

    _check_resources(raw, path, node_id, shape)
    if "retries" in raw:
        retries = raw["retries"]
        if not _is_int(retries) or not 0 <= retries <= MAX_RETRIES:
            shape.bad(f"{path}.retries", f"expected an integer from 0 to {MAX_RETRIES}, got {retries!r}.", node=node_id)
    if "timeout_seconds" in raw:
        timeout = raw["timeout_seconds"]
        if not _is_int(timeout) or not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            shape.bad(
                f"{path}.timeout_seconds", f"expected a whole number of seconds from 1 to {MAX_TIMEOUT_SECONDS}, got {timeout!r}.", node=node_id
            )

    arguments: dict[str, _Binding | None] = {}
    raw_args = raw.get("arguments", {})
    if not isinstance(raw_args, dict):
        shape.bad(f"{path}.arguments", f"expected an object mapping input names to bindings, got {_json_type(raw_args)}.", node=node_id)
    else:
        for name, binding in raw_args.items():
            arguments[name] = _parse_binding(binding, f"{path}.arguments.{name}", node_id, name, shape)

    publish = _parse_publish(raw, path, node_id, shape)

    if node_id is None:
        return None
    return _Node(id=node_id, index=index, component_version=cv, arguments=arguments, publish=publish)


def _parse_publish(raw: dict[str, Any], path: str, node_id: str | None, shape: _Shape) -> list[_Publish]:
    if "publish" not in raw:
        return []
    declarations = raw["publish"]
    path = f"{path}.publish"
    if not isinstance(declarations, list):
        shape.bad(path, f'expected an array of {{"output", "dataset", "kind"?}}, got {_json_type(declarations)}.', node=node_id)
        return []
    result: list[_Publish] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(declarations):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            shape.bad(where, f'expected {{"output", "dataset", "kind"?}}, got {_json_type(item)}.', node=node_id)
            continue
        shape.unknown_keys(item, PUBLISH_KEYS, where, node=node_id)
        output, dataset, kind = item.get("output"), item.get("dataset"), item.get("kind")
        port = output if isinstance(output, str) else None
        ok = True
        if not isinstance(output, str) or not output:
            shape.bad(f"{where}.output", f"expected the name of one of the node's outputs, got {output!r}.", node=node_id)
            ok = False
        if (
            not isinstance(dataset, str)
            or not dataset.strip()
            or len(dataset) > MAX_DATASET_NAME
            or "/" in dataset
            or any(ord(c) < 32 or ord(c) == 127 for c in dataset)
        ):
            shape.bad(
                f"{where}.dataset",
                f"expected a dataset name (1-{MAX_DATASET_NAME} characters, no '/' or control characters), got {dataset!r}.",
                node=node_id, port=port,
            )
            ok = False
        if kind is not None and kind not in DATASET_KINDS:
            shape.bad(f"{where}.kind", f"expected one of {', '.join(DATASET_KINDS)}, got {kind!r}.", node=node_id, port=port)
            ok = False
        if not ok:
            continue
        key = (output, dataset.strip().lower())
        if key in seen:
            shape.bad(where, f'output "{output}" is published to dataset "{dataset.strip()}" twice.', node=node_id, port=port)
            continue
        seen.add(key)
        result.append(_Publish(index=index, output=output, dataset=dataset.strip(), kind=kind))
    return result


def _check_resources(raw: dict[str, Any], path: str, node_id: str | None, shape: _Shape) -> None:
    if "resources" not in raw:
        return
    resources = raw["resources"]
    path = f"{path}.resources"
    if not isinstance(resources, dict):
        shape.bad(path, f"expected an object {{cpu, memory, gpu}}, got {_json_type(resources)}.", node=node_id)
        return
    shape.unknown_keys(resources, RESOURCE_KEYS, path, node=node_id)
    # null means "the component's own request", so the editor can clear a field.
    cpu = resources.get("cpu")
    if cpu is not None and not ((_is_number(cpu) and cpu > 0) or (isinstance(cpu, str) and CPU_RE.match(cpu))):
        shape.bad(f"{path}.cpu", f"expected a positive number of cores (1, 0.5, \"500m\"), got {cpu!r}.", node=node_id)
    memory = resources.get("memory")
    if memory is not None and not ((_is_int(memory) and memory > 0) or (isinstance(memory, str) and MEMORY_RE.match(memory))):
        shape.bad(f"{path}.memory", f"expected a size in bytes or a quantity like \"512Mi\" or \"2Gi\", got {memory!r}.", node=node_id)
    gpu = resources.get("gpu")
    if gpu is not None and not (_is_int(gpu) and gpu >= 0):
        shape.bad(f"{path}.gpu", f"expected a non-negative integer, got {gpu!r}.", node=node_id)


def _parse_binding(raw: Any, path: str, node_id: str | None, port: str, shape: _Shape) -> _Binding | None:
    expected = (
        'expected exactly one of {"value": ...}, {"parameter": name}, {"from": {"node", "output"}}'
        ' or {"dataset": {"id", "version"}}'
    )
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in BINDING_KINDS:
        shape.bad(path, f"{expected}, got {json.dumps(raw, default=str)[:80]}.", node=node_id, port=port)
        return None
    kind, payload = next(iter(raw.items()))
    if kind == "value":
        return _Binding(kind="value", value=payload)
    if kind == "parameter":
        if not isinstance(payload, str) or not payload:
            shape.bad(f"{path}.parameter", f"expected a parameter name, got {payload!r}.", node=node_id, port=port)
            return None
        return _Binding(kind="parameter", parameter=payload)
    if kind == "dataset":
        return _parse_dataset_binding(payload, f"{path}.dataset", node_id, port, shape)
    if (
        not isinstance(payload, dict)
        or set(payload) != {"node", "output"}
        or not all(isinstance(payload[k], str) and payload[k] for k in ("node", "output"))
    ):
        shape.bad(f"{path}.from", f'expected {{"node": id, "output": name}}, got {json.dumps(payload, default=str)[:80]}.', node=node_id, port=port)
        return None
    return _Binding(kind="from", node=payload["node"], output=payload["output"])


def _parse_dataset_binding(payload: Any, path: str, node_id: str | None, port: str, shape: _Shape) -> _Binding | None:
    expected = '{"id": dataset id, "version": a version number or "latest"}'
    if not isinstance(payload, dict) or "id" not in payload or not set(payload) <= {"id", "version"}:
        shape.bad(path, f"expected {expected}, got {json.dumps(payload, default=str)[:80]}.", node=node_id, port=port)
        return None
    dataset_id, version = payload["id"], payload.get("version", "latest")
    if not _is_int(dataset_id) or not 0 < dataset_id <= MAX_ID:
        shape.bad(f"{path}.id", f"expected a dataset id (a positive integer), got {dataset_id!r}.", node=node_id, port=port)
        return None
    if version != "latest" and (not _is_int(version) or not 0 < version <= 2**31 - 1):
        shape.bad(f"{path}.version", f'expected a version number (1, 2, ...) or "latest", got {version!r}.', node=node_id, port=port)
        return None
    return _Binding(kind="dataset", dataset=dataset_id, dataset_version=version)


def _parse_parameters(parameters: Any, shape: _Shape) -> tuple[dict[str, _Parameter], list[Problem]]:
    """Declared parameters by name, plus the problems that are not mere shape errors."""
    problems: list[Problem] = []
    declared: dict[str, _Parameter] = {}
    if parameters is None:
        return declared, problems
    if not isinstance(parameters, list):
        shape.bad("parameters", f"expected an array of parameters, got {_json_type(parameters)}.")
        return declared, problems
    for index, raw in enumerate(parameters):
        path = f"parameters[{index}]"
        if not isinstance(raw, dict):
            shape.bad(path, f"expected a parameter object, got {_json_type(raw)}.")
            continue
        shape.unknown_keys(raw, PARAMETER_KEYS, path)
        name = raw.get("name")
        if not isinstance(name, str) or not PARAMETER_NAME_RE.match(name):
            shape.bad(f"{path}.name", f"{name!r} is not a valid parameter name (letters, digits, '_', '-', '.'; not starting with a digit).")
            continue
        if "description" in raw and not isinstance(raw["description"], str):
            shape.bad(f"{path}.description", "expected a string.")
        declared_type = type_name(raw.get("type")) if isinstance(raw.get("type"), str) else None
        if declared_type not in VALUE_TYPES:
            problems.append(Problem(
                code="parameter_type",
                message=f'Parameter "{name}": type {raw.get("type")!r} is not a value type ({", ".join(sorted(VALUE_TYPES))}).',
                field=f"{path}.type",
            ))
            declared_type = None
        elif raw.get("default") is not None:
            try:
                coerce_value(declared_type, raw["default"])
            except ValueError as exc:
                problems.append(Problem(
                    code="parameter_type",
                    message=f'Parameter "{name}": default {raw["default"]!r} is not a valid {declared_type} ({exc}).',
                    field=f"{path}.default",
                ))
        if name in declared:
            problems.append(Problem(code="unknown_parameter", message=f'Parameter "{name}" is declared more than once.', field=f"{path}.name"))
            continue
        declared[name] = _Parameter(name=name, type=declared_type)
    return declared, problems


# ---------------------------------------------------------------------------
# Ports of a component version, read straight from its KFP v1 spec.


@dataclass(frozen=True)
class _Port:
    name: str
    type: str | None
    required: bool


def _ports(spec: Any, key: str) -> dict[str, _Port]:
    """`inputs`/`outputs` of a spec by name, in declaration order; malformed entries are skipped
    (the catalog validated the spec on import, this only guards against surprises)."""
    ports: dict[str, _Port] = {}
    raw_ports = spec.get(key) if isinstance(spec, dict) else None
    for raw in raw_ports or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            continue
        # KFP: an input is required unless it has a default or says optional.
        required = raw.get("default") is None and not raw.get("optional", False)
        ports[raw["name"]] = _Port(name=raw["name"], type=type_name(raw.get("type")), required=required)
    return ports


def _component_label(cv: ComponentVersion) -> str:
    # The spec's name, not str(cv): that would query the component row per node.
    spec_name = cv.spec.get("name") if isinstance(cv.spec, dict) else None
    return f'"{spec_name}" (version id {cv.pk})' if spec_name else f"component version {cv.pk}"


def _parameter_fits(parameter_type: str, input_type: str) -> bool:
    # An Integer parameter may feed a Float input: every integer is a valid float.
    return parameter_type == input_type or (parameter_type == "Integer" and input_type == "Float")


# ---------------------------------------------------------------------------
# Validation


def component_version_ids(graph: Any) -> set[int]:
    """The ComponentVersion ids a (possibly malformed or old) document references: what to load before `validate`."""
    try:
        doc = migrate_graph(graph)
    except GraphError:
        return set()
    nodes = doc.get("nodes")
    if not isinstance(nodes, list):
        return set()
    return {
        n["component_version"]
        for n in nodes
        if isinstance(n, dict) and _is_int(n.get("component_version")) and 0 < n["component_version"] <= MAX_ID
    }


def dataset_references(graph: Any) -> tuple[set[int], set[str]]:
    """The dataset ids (bindings) and lower-cased names (publish declarations) a document mentions:
    what to load before `validate`."""
    ids: set[int] = set()
    names: set[str] = set()
    try:
        doc = migrate_graph(graph)
    except GraphError:
        return ids, names
    nodes = doc.get("nodes")
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        arguments = node.get("arguments")
        for binding in arguments.values() if isinstance(arguments, dict) else []:
            target = binding.get("dataset") if isinstance(binding, dict) else None
            if isinstance(target, dict) and _is_int(target.get("id")) and 0 < target["id"] <= MAX_ID:
                ids.add(target["id"])
        publish = node.get("publish")
        for item in publish if isinstance(publish, list) else []:
            if isinstance(item, dict) and isinstance(item.get("dataset"), str) and item["dataset"].strip():
                names.add(item["dataset"].strip().lower())
    return ids, names


def validate(
    graph: Any,
    parameters: Any,
    *,
    component_versions: Mapping[int, ComponentVersion],
    datasets: Iterable[DatasetRef] | None = None,
) -> list[Problem]:
    """Every problem of a graph document and its parameters, in a deterministic order; [] when it is sound.

    `component_versions` maps ids to rows for (at least) `component_version_ids(graph)`;
    an id missing from it is reported as unknown_component_version. `datasets`
    (for at least `dataset_references(graph)`) lets dataset bindings and publish
    declarations be checked against what exists; None skips those checks.
    """
    shape = _Shape()
    for path in [*_nul_paths(graph, ""), *_nul_paths(parameters, "parameters")]:
        shape.bad(path or "graph", "text may not contain the NUL character (\\u0000).")
    if shape.problems:
        # A document that cannot be stored is not worth checking further.
        return shape.problems
    try:
        doc: dict[str, Any] | None = migrate_graph(graph)
    except GraphError as exc:
        shape.problems.extend(exc.problems)
        doc = None
    nodes = _parse_nodes(doc, shape) if doc is not None else []
    declared, parameter_problems = _parse_parameters(parameters, shape)
    problems = shape.problems + parameter_problems
    if doc is None:
        return problems

    by_id: dict[str, _Node] = {}
    for node in nodes:
        by_id.setdefault(node.id, node)  # the first node with an id is the one references reach

    known = _DatasetIndex(datasets)
    for node in nodes:
        first = by_id[node.id]
        if first is node:
            problems.extend(_node_problems(node, by_id, declared, component_versions, known))
        else:
            problems.append(Problem(
                code="duplicate_node",
                message=f'Node id "{node.id}" is used twice (nodes[{first.index}] and nodes[{node.index}]); node ids must be unique.',
                node=node.id,
                field=f"nodes[{node.index}].id",
            ))

    problems.extend(_cycle_problems(list(by_id.values())))
    return problems


class _DatasetIndex:
    """Datasets by id and by lower-cased name; `checked` is False when the caller passed none."""

    def __init__(self, datasets: Iterable[DatasetRef] | None) -> None:
        self.checked = datasets is not None
        refs = list(datasets or [])
        self.by_id = {ref.id: ref for ref in refs}
        self.by_name = {ref.name.lower(): ref for ref in refs}


def _node_problems(
    node: _Node,
    by_id: Mapping[str, _Node],
    declared: Mapping[str, _Parameter],
    component_versions: Mapping[int, ComponentVersion],
    datasets: _DatasetIndex | None = None,
) -> list[Problem]:
    datasets = datasets or _DatasetIndex(None)
    problems: list[Problem] = []
    cv = component_versions.get(node.component_version) if node.component_version is not None else None
    if node.component_version is not None and cv is None:
        problems.append(Problem(
            code="unknown_component_version",
            message=f'Node "{node.id}": component version {node.component_version} does not exist.',
            node=node.id,
            field=f"nodes[{node.index}].component_version",
        ))
    if cv is None:
        # Without the component there are no ports to check, but references
        # to parameters and nodes can still be wrong; report those now rather
        # than one save later.
        for port in sorted(node.arguments):
            binding = node.arguments[port]
            if binding is not None:
                problems.extend(_reference_problems(node, port, binding, by_id, declared, datasets))
        return problems

    if not cv.runnable:
        problems.append(Problem(
            code="not_runnable",
            message=f'Node "{node.id}": component {_component_label(cv)} has a graph implementation, which cannot run yet.',
            node=node.id,
            field=f"nodes[{node.index}].component_version",
        ))

    inputs = _ports(cv.spec, "inputs")
    for port in inputs.values():
        if port.name not in node.arguments:
            if port.required:
                problems.append(Problem(
                    code="unbound_input",
                    message=f'Node "{node.id}": required input "{port.name}" ({port.type or "untyped"}) is not connected and has no value.',
                    node=node.id,
                    port=port.name,
                ))
            continue
        binding = node.arguments[port.name]
        if binding is not None:
            problems.extend(_binding_problems(node, port, binding, by_id, declared, component_versions, datasets))

    for name in sorted(set(node.arguments) - set(inputs)):
        known = ", ".join(inputs) or "none"
        problems.append(Problem(
            code="unknown_port",
            message=f'Node "{node.id}": component {_component_label(cv)} has no input "{name}" (inputs: {known}).',
            node=node.id,
            port=name,
        ))
    problems.extend(_publish_problems(node, cv, datasets))
    return problems


def _publish_problems(node: _Node, cv: ComponentVersion, datasets: _DatasetIndex) -> list[Problem]:
    problems: list[Problem] = []
    outputs = _ports(cv.spec, "outputs")
    for item in node.publish:
        field_path = f"nodes[{node.index}].publish[{item.index}]"
        output = outputs.get(item.output)
        if output is None:
            known = ", ".join(outputs) or "none"
            problems.append(Problem(
                code="unknown_port",
                message=f'Node "{node.id}": cannot publish output "{item.output}": component {_component_label(cv)} has no such output (outputs: {known}).',
                node=node.id,
                port=item.output,
                field=f"{field_path}.output",
            ))
            continue
        if output.type is not None and is_value_type(output.type):
            problems.append(Problem(
                code="incompatible_types",
                message=f'Node "{node.id}": output "{item.output}" is a {output.type} value, not a file; only file outputs can be published to a dataset.',
                node=node.id,
                port=item.output,
                field=f"{field_path}.output",
            ))
            continue
        existing = datasets.by_name.get(item.dataset.lower())
        if existing is not None and item.kind is not None and existing.kind != item.kind:
            problems.append(Problem(
                code="dataset_kind",
                message=f'Node "{node.id}": output "{item.output}" is published as a {item.kind}, but dataset "{existing.name}" holds {existing.kind}s.',
                node=node.id,
                port=item.output,
                field=f"{field_path}.kind",
            ))
    return problems


def _reference_problems(
    node: _Node,
    port: str,
    binding: _Binding,
    by_id: Mapping[str, _Node],
    declared: Mapping[str, _Parameter],
    datasets: _DatasetIndex | None = None,
) -> list[Problem]:
    """Problems of a binding that do not depend on the node's own component."""
    if binding.kind == "dataset" and datasets is not None and datasets.checked:
        ref = datasets.by_id.get(binding.dataset)
        if ref is None:
            return [Problem(
                code="unknown_dataset",
                message=f'Node "{node.id}": input "{port}" reads dataset {binding.dataset}, which does not exist.',
                node=node.id,
                port=port,
            )]
        if binding.dataset_version != "latest" and not 0 < int(binding.dataset_version) <= ref.latest_version:
            latest = f"its latest is version {ref.latest_version}" if ref.latest_version else "it has no versions yet"
            return [Problem(
                code="unknown_dataset_version",
                message=f'Node "{node.id}": input "{port}" reads version {binding.dataset_version} of dataset "{ref.name}", but {latest}.',
                node=node.id,
                port=port,
            )]
    if binding.kind == "parameter" and binding.parameter not in declared:
        names = ", ".join(declared) or "none declared"
        return [Problem(
            code="unknown_parameter",
            message=f'Node "{node.id}": input "{port}" uses parameter "{binding.parameter}", which the pipeline does not declare ({names}).',
            node=node.id,
            port=port,
        )]
    if binding.kind == "from" and binding.node not in by_id:
        return [Problem(
            code="unknown_node",
            message=f'Node "{node.id}": input "{port}" reads from node "{binding.node}", which does not exist.',
            node=node.id,
            port=port,
        )]
    return []


def _binding_problems(
    node: _Node,
    port: _Port,
    binding: _Binding,
    by_id: Mapping[str, _Node],
    declared: Mapping[str, _Parameter],
    component_versions: Mapping[int, ComponentVersion],
    datasets: _DatasetIndex | None = None,
) -> list[Problem]:
    reference = _reference_problems(node, port.name, binding, by_id, declared, datasets)
    if reference:
        return reference
    where = f'Node "{node.id}": input "{port.name}"'
    artifact_input = port.type is not None and not is_value_type(port.type)

    if binding.kind == "dataset":
        return _dataset_binding_problems(where, node, port, binding, datasets)

    if binding.kind == "value":
        if binding.value is None:
            return [Problem(code="invalid_value", message=f"{where} has a null value; remove the argument to leave it unset.", node=node.id, port=port.name)]
        if artifact_input:
            return [Problem(
                code="invalid_value",
                message=f"{where} takes a {port.type} artifact, which a constant cannot provide; connect it to an upstream output.",
                node=node.id,
                port=port.name,
            )]
        if port.type is not None:
            try:
                coerce_value(port.type, binding.value)
            except ValueError as exc:
                return [Problem(code="invalid_value", message=f"{where} expects {port.type}: {exc}.", node=node.id, port=port.name)]
        return []

    if binding.kind == "parameter":
        parameter = declared[binding.parameter]
        if artifact_input:
            return [Problem(
                code="parameter_type",
                message=f'{where} takes a {port.type} artifact, which parameter "{parameter.name}" cannot provide; connect it to an upstream output.',
                node=node.id,
                port=port.name,
            )]
        if port.type is not None and parameter.type is not None and not _parameter_fits(parameter.type, port.type):
            return [Problem(
                code="parameter_type",
                message=f'{where} expects {port.type}, but parameter "{parameter.name}" is {parameter.type}.',
                node=node.id,
                port=port.name,
            )]
        return []

    upstream = by_id[binding.node]
    upstream_cv = component_versions.get(upstream.component_version) if upstream.component_version is not None else None
    if upstream_cv is None:
        return []  # the upstream node's own problem says why; its outputs are unknown
    outputs = _ports(upstream_cv.spec, "outputs")
    output = outputs.get(binding.output)
    if output is None:
        known = ", ".join(outputs) or "none"
        return [Problem(
            code="unknown_port",
            message=f'{where} reads output "{binding.output}" of node "{upstream.id}", whose component {_component_label(upstream_cv)} has no such output (outputs: {known}).',
            node=node.id,
            port=port.name,
        )]
    if not compatible(output.type, port.type):
        return [Problem(
            code="incompatible_types",
            message=f'{where} expects {port.type}, but output "{output.name}" of node "{upstream.id}" is {output.type}.',
            node=node.id,
            port=port.name,
        )]
    return []


def _dataset_binding_problems(
    where: str, node: _Node, port: _Port, binding: _Binding, datasets: _DatasetIndex | None
) -> list[Problem]:
    if port.type is not None and is_value_type(port.type):
        return [Problem(
            code="incompatible_types",
            message=f"{where} takes a {port.type} value; a dataset version is a file, so bind it to a file input (Dataset, Model, File or untyped).",
            node=node.id,
            port=port.name,
        )]
    ref = datasets.by_id.get(binding.dataset) if datasets is not None else None
    if ref is None or port.type is None or port.type in ACCEPTS_ANY:
        return []
    if port.type not in DATASET_KIND_TYPES.get(ref.kind, frozenset()):
        return [Problem(
            code="incompatible_types",
            message=f'{where} expects {port.type}, but dataset "{ref.name}" holds {ref.kind}s.',
            node=node.id,
            port=port.name,
        )]
    return []


# ---------------------------------------------------------------------------
# Cycles


def _strongly_connected(order: list[str], successors: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so a long chain cannot hit the recursion limit."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in order:
        if root in index_of:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            vertex, child = work.pop()
            if child == 0:
                index_of[vertex] = low[vertex] = counter
                counter += 1
                stack.append(vertex)
                on_stack.add(vertex)
            children = successors.get(vertex, [])
            if child < len(children):
                work.append((vertex, child + 1))
                nxt = children[child]
                if nxt not in index_of:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[vertex] = min(low[vertex], index_of[nxt])
                continue
            if low[vertex] == index_of[vertex]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == vertex:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[vertex])
    return components


def _shortest_cycle(start: str, members: set[str], successors: Mapping[str, list[str]]) -> list[str]:
    """The shortest path start → … → start inside one strongly connected component (breadth first)."""
    previous: dict[str, str] = {}
    queue = [start]
    for vertex in queue:
        for nxt in successors.get(vertex, []):
            if nxt not in members:
                continue
            if nxt == start:
                path = [vertex]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if nxt not in previous:
                previous[nxt] = vertex
                queue.append(nxt)
    return [start, start]  # unreachable for a real cycle; keeps the type simple


def _cycle_problems(nodes: list[_Node]) -> list[Problem]:
    """One problem per cycle (per strongly connected group of nodes), naming its nodes in flow order.

    `node` is the cycle's first node in document order and `port` the input on
    it that closes the loop, so the editor can point at one connection to cut.
    """
    order = [n.id for n in nodes]
    position = {node_id: i for i, node_id in enumerate(order)}
    successors: dict[str, list[str]] = {node_id: [] for node_id in order}
    closing_input: dict[tuple[str, str], str] = {}
    for node in nodes:
        for port in sorted(node.arguments):
            binding = node.arguments[port]
            if binding is None or binding.kind != "from" or binding.node not in successors:
                continue
            if node.id not in successors[binding.node]:
                successors[binding.node].append(node.id)
            closing_input.setdefault((binding.node, node.id), port)
    for node_id in order:
        successors[node_id].sort(key=position.__getitem__)

    problems: list[tuple[int, Problem]] = []
    for component in _strongly_connected(order, successors):
        members = set(component)
        start = min(component, key=position.__getitem__)
        if len(component) == 1 and start not in successors[start]:
            continue
        cycle = _shortest_cycle(start, members, successors)
        text = " → ".join(cycle)
        problems.append((position[start], Problem(
            code="cycle",
            message=f"Cycle: {text}. A node cannot depend on its own output; remove one of these connections.",
            node=start,
            port=closing_input[(cycle[-2], start)],
        )))
    return [problem for _, problem in sorted(problems, key=lambda item: item[0])]


# ---------------------------------------------------------------------------
# Traversal helpers for the engine. They expect a document that passed
# `validate` (e.g. a stored PipelineVersion.graph) and migrate it first, so a
# version stored under an older schema reads the same way.


def nodes_by_id(graph: Any) -> dict[str, dict[str, Any]]:
    """The nodes of a valid document by id, in document order."""
    return {node["id"]: node for node in migrate_graph(graph).get("nodes") or []}


def edges(graph: Any) -> list[Edge]:
    """Every data connection, ordered by the consuming node (document order) then input name."""
    result: list[Edge] = []
    for node in migrate_graph(graph).get("nodes") or []:
        for input_name in sorted(node.get("arguments") or {}):
            binding = node["arguments"][input_name]
            if isinstance(binding, dict) and "from" in binding:
                result.append(Edge(binding["from"]["node"], binding["from"]["output"], node["id"], input_name))
    return result


def dependencies(graph: Any) -> dict[str, list[str]]:
    """For each node id, the ids of the nodes it reads from (each once, in document order)."""
    order = list(nodes_by_id(graph))
    position = {node_id: i for i, node_id in enumerate(order)}
    upstream: dict[str, set[str]] = {node_id: set() for node_id in order}
    for edge in edges(graph):
        upstream[edge.target].add(edge.source)
    return {node_id: sorted(sources, key=position.__getitem__) for node_id, sources in upstream.items()}


def topological_order(graph: Any) -> list[str]:
    """Node ids with every node after the nodes it reads from; ties keep document order.

    Raises GraphError (code `cycle`) if the graph has a cycle, which `validate` would have reported.
    """
    upstream = dependencies(graph)
    order = list(upstream)
    position = {node_id: i for i, node_id in enumerate(order)}
    waiting = {node_id: len(sources) for node_id, sources in upstream.items()}
    downstream: dict[str, list[str]] = {node_id: [] for node_id in order}
    for node_id, sources in upstream.items():
        for source in sources:
            downstream[source].append(node_id)
    ready = [position[node_id] for node_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        node_id = order[heapq.heappop(ready)]
        result.append(node_id)
        for nxt in downstream[node_id]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, position[nxt])
    if len(result) != len(order):
        stuck = [node_id for node_id in order if node_id not in set(result)]
        message = f"The graph has a cycle through: {', '.join(stuck)}."
        raise GraphError(message, [Problem(code="cycle", message=message, node=stuck[0])])
    return result


# ---------------------------------------------------------------------------
# Canonical form, for storing and for detecting unchanged saves.


def normalize_parameters(parameters: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Valid parameters in the stored shape: every key present, type spelled canonically, default coerced.

    So `{"name": "n", "type": "int", "default": "3"}` and
    `{"name": "n", "type": "Integer", "default": 3, "description": ""}` are the same document.
    """
    result: list[dict[str, Any]] = []
    for raw in parameters or []:
        declared_type = type_name(raw["type"])
        default = raw.get("default")
        result.append({
            "name": raw["name"],
            "type": declared_type,
            "default": coerce_value(declared_type, default) if default is not None else None,
            "description": raw.get("description") or "",
        })
    return result


def document_digest(graph: Mapping[str, Any], parameters: list[dict[str, Any]]) -> str:
    """sha256 of the canonical JSON of (graph, parameters).

    Keys are sorted because PostgreSQL's jsonb does not keep key order, so a
    graph read back from the database must hash like the one that was saved.
    Positions are part of it: moving a node is a change the user saved.
    """
    canonical = json.dumps({"graph": graph, "parameters": parameters}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
