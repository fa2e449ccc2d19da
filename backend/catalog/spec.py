"""Parsing and validating component specs (Kubeflow Pipelines v1 `component.yaml`).

The stored spec is the parsed YAML itself, key for key: third-party files must
import unchanged, and the digest must not depend on how we happen to normalise
things today. Everything the rest of the system needs (ports, resources,
category, image) is *derived* from the stored spec by the helpers at the bottom
of this module, so those rules can evolve without rewriting stored rows.

Validation happens in two passes and reports every problem at once, each with
the dotted path of the offending field (`implementation.container.args[3].inputValue`):

1. a JSON Schema (Draft 2020-12) for the shape: which keys exist, their types,
   the placeholder grammar, our extensions (`resources`, `source`,
   `metadata.annotations.category`);
2. semantic checks the schema cannot express: placeholders name declared
   inputs/outputs, port names are unique, resource quantities parse.

See docs/component-spec.md for the user-facing reference.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from catalog.models import Category
from catalog.types import parse_cpu, parse_memory, to_command_line, type_name
from studio.errors import InvalidInput, Problem

# --------------------------------------------------------------------------
# Defaults of our `resources` extension (documented in docs/component-spec.md).
# One CPU and 1 GiB are what a small scikit-learn step comfortably needs; a
# spec asks for more (or less) explicitly.
DEFAULT_CPU = 1.0
DEFAULT_MEMORY = "1Gi"
DEFAULT_MEMORY_BYTES = 1024**3
DEFAULT_GPU = 0

# YAML aliases can expand exponentially ("billion laughs"); real component
# files use few or none, so a small budget blocks the attack without hurting anyone.
MAX_YAML_ALIASES = 100

CATEGORIES: tuple[str, ...] = tuple(Category.values)

# Placeholders allowed where a command-line argument may appear. `isPresent` is
# only meaningful as an `if` condition, so it is allowed there alone.
ARG_PLACEHOLDERS = ("inputValue", "inputPath", "outputPath", "inputUri", "outputUri", "concat", "if")
COND_PLACEHOLDERS = (*ARG_PLACEHOLDERS, "isPresent")
INPUT_REFERENCES = frozenset({"inputValue", "inputPath", "inputUri", "isPresent"})
OUTPUT_REFERENCES = frozenset({"outputPath", "outputUri"})

# --------------------------------------------------------------------------
# JSON Schema


def _placeholder_schema(kinds: tuple[str, ...], unknown_kind: str) -> dict[str, Any]:
    """A command-line argument: a plain scalar or a one-key placeholder object.

    Written as one schema whose object keywords only apply to objects (rather
    than `anyOf` of alternatives) so that a bad placeholder yields one precise
    error ("unknown placeholder 'executorInput'") instead of "not valid under
    any of the given schemas".
    """
    return {
        "type": ["string", "number", "boolean", "object"],
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"enum": list(kinds), "x-unknown": unknown_kind},
        "properties": {
            "inputValue": {"$ref": "#/$defs/portName"},
            "inputPath": {"$ref": "#/$defs/portName"},
            "outputPath": {"$ref": "#/$defs/portName"},
            "inputUri": {"$ref": "#/$defs/portName"},
            "outputUri": {"$ref": "#/$defs/portName"},
            "isPresent": {"$ref": "#/$defs/portName"},
            "concat": {"type": "array", "items": {"$ref": "#/$defs/arg"}},
            "if": {
                "type": "object",
                "required": ["cond", "then"],
                "additionalProperties": False,
                "properties": {
                    "cond": {"$ref": "#/$defs/cond"},
                    "then": {"$ref": "#/$defs/branch"},
                    "else": {"$ref": "#/$defs/branch"},
                },
            },
        },
    }


def _port_schema(*, is_input: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": {"$ref": "#/$defs/portName"},
        # KFP types are a name (`CSV`) or a one-key mapping with properties
        # (`{GCSPath: {data_type: CSV}}`); absent or null means untyped.
        "type": {"type": ["string", "object", "null"]},
        "description": {"type": ["string", "null"]},
        "annotations": {"type": ["object", "null"]},
    }
    if is_input:
        # KFP stores defaults as strings; YAML authors write numbers and booleans too.
        properties["default"] = {"type": ["string", "number", "boolean", "null"], "x-hint": "default"}
        properties["optional"] = {"type": "boolean"}
    return {"type": "object", "required": ["name"], "additionalProperties": False, "properties": properties}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://pipeline-studio.invalid/schemas/component.json",
    "title": "Pipeline Studio component spec (Kubeflow Pipelines v1 component.yaml)",
    "type": "object",
    "required": ["name", "implementation"],
    # Kubeflow ignores top-level keys it does not know; so do we (and keep them).
    "additionalProperties": True,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        "description": {"type": ["string", "null"]},
        "metadata": {
            "type": ["object", "null"],
            "properties": {
                "annotations": {
                    "type": ["object", "null"],
                    # Any annotation key is kept; only our own key is checked.
                    "properties": {"category": {"enum": list(CATEGORIES), "x-hint": "category"}},
                },
                "labels": {"type": ["object", "null"]},
            },
        },
        "inputs": {"type": ["array", "null"], "items": _port_schema(is_input=True)},
        "outputs": {"type": ["array", "null"], "items": _port_schema(is_input=False)},
        "implementation": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {
                "container": {
                    "type": "object",
                    "required": ["image"],
                    "additionalProperties": False,
                    "properties": {
                        "image": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": r"^\S+$"},
                        "command": {"type": ["array", "null"], "items": {"$ref": "#/$defs/arg"}},
                        "args": {"type": ["array", "null"], "items": {"$ref": "#/$defs/arg"}},
                        "env": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
                        # Old KFP style: output name -> path the program writes inside the container.
                        "fileOutputs": {"type": ["object", "null"], "additionalProperties": {"type": "string", "minLength": 1}},
                    },
                },
                # Stored as is; running graph components is future work.
                "graph": {"type": "object", "properties": {"tasks": {"type": "object"}}},
            },
        },
        "resources": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "cpu": {"type": ["number", "string"], "x-hint": "cpu"},
                "memory": {"type": ["integer", "string"], "x-hint": "memory"},
                "gpu": {"type": "integer", "minimum": 0},
            },
        },
        "source": {
            "type": ["object", "null"],
            "properties": {
                "repo": {"type": ["string", "null"]},
                "ref": {"type": ["string", "null"]},
                "path": {"type": ["string", "null"]},
            },
        },
    },
    "$defs": {
        "portName": {"type": "string", "minLength": 1},
        "arg": _placeholder_schema(ARG_PLACEHOLDERS, "placeholder"),
        "cond": _placeholder_schema(COND_PLACEHOLDERS, "condition"),
        "branch": {
            # KFP accepts a single argument or a list of them in then/else.
            "if": {"type": "array"},
            "then": {"items": {"$ref": "#/$defs/arg"}},
            "else": {"$ref": "#/$defs/arg"},
        },
    },
}

_VALIDATOR = Draft202012Validator(SCHEMA)


# --------------------------------------------------------------------------
# Public types


class Port(TypedDict):
    name: str
    type: str | None
    description: str | None
    default: str | None
    optional: bool


class Resources(TypedDict):
    cpu: float
    memory_bytes: int
    gpu: int


@dataclass(frozen=True)
class ComponentSpec:
    """A validated spec and what the catalog stores about it."""

    spec: dict[str, Any]
    digest: str
    name: str
    description: str
    category: str
    image: str
    runnable: bool


# --------------------------------------------------------------------------
# Entry points


def load_component(*, text: str | None = None, spec: dict[str, Any] | None = None) -> ComponentSpec:
    """Parses (when given text) and validates a component spec.

    Raises InvalidInput listing every problem, each with the path of the field.
    """
    if (text is None) == (spec is None):
        raise TypeError("load_component takes exactly one of text= or spec=")
    data: Any = parse_yaml(text) if text is not None else copy.deepcopy(spec)
    problems = validate_spec(data)
    if problems:
        raise InvalidInput(_summary(problems), problems)
    assert isinstance(data, dict)  # validate_spec rejects anything else
    return ComponentSpec(
        spec=data,
        digest=spec_digest(data),
        name=data["name"],
        description=description(data),
        category=category(data),
        image=image(data),
        runnable=is_runnable(data),
    )


def parse_yaml(text: str) -> Any:
    """YAML text → plain JSON-compatible data. Raises InvalidInput with the line of a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        message = f"Not valid YAML: {where}{reason}"
        raise InvalidInput(message, [Problem(code="invalid_yaml", message=message)]) from None
    except yaml.YAMLError as exc:
        message = f"Not valid YAML: {exc}"
        raise InvalidInput(message, [Problem(code="invalid_yaml", message=message)]) from None


def validate_spec(data: Any) -> list[Problem]:
    """Every problem of a parsed spec (empty when it is valid), sorted by field path."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else _describe(data)
        return [Problem(code="invalid_document", message=f"A component spec must be a YAML mapping, this one is {kind}.")]
    problems = sorted(_json_problems(data, ()), key=lambda p: p.field or "")
    if problems:
        # Later checks assume JSON data (string keys, finite numbers).
        return problems
    problems = [_schema_problem(error) for error in _VALIDATOR.iter_errors(data)]
    problems.extend(_semantic_problems(data))
    problems.sort(key=lambda p: (p.field or "", p.message))
    return problems


def spec_digest(spec: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a spec: keys sorted, compact separators, UTF-8."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------
# Helpers over a stored (valid) spec


def input_ports(spec: dict[str, Any]) -> list[Port]:
    """The inputs as ports. `default` is the command-line text (KFP stores strings); None when absent.

    An input must be bound in a pipeline unless it is optional or has a default (see `port_required`).
    """
    return [_port(raw, is_input=True) for raw in spec.get("inputs") or []]


def output_ports(spec: dict[str, Any]) -> list[Port]:
    return [_port(raw, is_input=False) for raw in spec.get("outputs") or []]


def port_required(port: Port) -> bool:
    """Must a pipeline bind this input? KFP: unless it is optional or has a default."""
    return not port["optional"] and port["default"] is None


def resources(spec: dict[str, Any], override: dict[str, Any] | None = None) -> Resources:
    """Requested resources with defaults filled in: cpu 1, memory 1 GiB, gpu 0, then the spec's
    `resources`, then `override` (a pipeline node's `resources`; a null field keeps the spec's).
    The catalog shows these and the engine applies them, so both read them here.

    An explicit 0 (or "") for cpu or memory means no limit and comes back as 0; validation
    refuses it in new specs and nodes, stored ones may have it (docs/operations.md)."""
    raw: dict[str, Any] = {}
    for given in (spec.get("resources"), override):
        if isinstance(given, dict):
            raw.update({key: value for key, value in given.items() if value is not None})
    cpu = DEFAULT_CPU if "cpu" not in raw else 0.0 if _no_limit(raw["cpu"]) else cpu_cores(raw["cpu"])
    memory = (DEFAULT_MEMORY_BYTES if "memory" not in raw
              else 0 if _no_limit(raw["memory"]) else memory_bytes(raw["memory"]))
    gpu = int(raw["gpu"]) if "gpu" in raw else DEFAULT_GPU
    return {"cpu": cpu, "memory_bytes": memory, "gpu": gpu}


def _no_limit(value: Any) -> bool:
    return value == "" or (isinstance(value, int | float) and not isinstance(value, bool) and value == 0)


def category(spec: dict[str, Any]) -> str:
    """`metadata.annotations.category`, or `other` when absent."""
    annotations = (spec.get("metadata") or {}).get("annotations") or {}
    value = annotations.get("category")
    return value if value in CATEGORIES else Category.OTHER.value


def description(spec: dict[str, Any]) -> str:
    return (spec.get("description") or "").strip()


def image(spec: dict[str, Any]) -> str:
    container = (spec.get("implementation") or {}).get("container") or {}
    return container.get("image") or ""


def is_runnable(spec: dict[str, Any]) -> bool:
    """Only container implementations run today; `graph` components are stored for later."""
    return "container" in (spec.get("implementation") or {})


def source(spec: dict[str, Any]) -> dict[str, Any] | None:
    value = spec.get("source")
    return value if isinstance(value, dict) else None


def cpu_cores(value: Any) -> float:
    """A `resources.cpu` value in cores (types.parse_cpu), refusing what is not a positive finite number."""
    cores = parse_cpu(value)
    if not math.isfinite(cores):
        raise ValueError(f"expected a CPU amount like 1, 0.5 or '500m', got {value!r}")
    return cores


def memory_bytes(value: Any) -> int:
    """A `resources.memory` value in bytes (types.parse_memory), refusing zero and absurd sizes."""
    try:
        amount = parse_memory(value)
    except OverflowError:  # 'infGi', '1e400'
        raise ValueError(f"expected a memory size like '512Mi' or '1Gi', got {value!r}") from None
    if amount <= 0:
        raise ValueError(f"memory must be positive, got {value!r}")
    return amount


def iter_placeholders(spec: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Every input/output reference in command/args as (field path, kind, port name)."""
    implementation = spec.get("implementation")
    container = implementation.get("container") if isinstance(implementation, dict) else None
    if not isinstance(container, dict):
        return
    for key in ("command", "args"):
        for index, item in enumerate(_list_of(container.get(key))):
            yield from _walk_arg(item, f"implementation.container.{key}[{index}]")


# --------------------------------------------------------------------------
# Internals


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and caps alias expansion.

    PyYAML turns `2024-01-01` into a date, which is not JSON; a spec is JSON, and
    the original text is what the author meant.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"more than {MAX_YAML_ALIASES} aliases (*name); expand them in the file", event.start_mark
                )
        return super().compose_node(parent, index)


def _summary(problems: list[Problem]) -> str:
    first = problems[0].message
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"Invalid component spec: {first}{more}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _path(parts: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out


def _problem(code: str, parts: tuple[Any, ...] | list[Any], text: str) -> Problem:
    field = _path(parts)
    return Problem(code=code, message=f"{field}: {text}" if field else text, field=field or None)


def _json_problems(value: Any, parts: tuple[Any, ...]) -> Iterator[Problem]:
    """YAML can hold what JSON cannot (non-string keys, NaN, binary); a spec must be JSON."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield _problem("invalid_key", parts, f"key {key!r} is not text; quote it in the YAML")
                continue
            yield from _json_problems(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_problems(item, (*parts, index))
    elif isinstance(value, float) and not math.isfinite(value):
        yield _problem("invalid_value", parts, f"{value!r} is not a finite number")
    elif not isinstance(value, str | int | float | bool | None):
        yield _problem("invalid_value", parts, f"a {type(value).__name__} value cannot be stored as JSON")


_TYPE_WORDS = {"string": "text", "object": "a mapping", "array": "a list", "integer": "an integer", "number": "a number", "boolean": "true or false", "null": "nothing"}


def _schema_problem(error: ValidationError) -> Problem:
    parts = list(error.absolute_path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    if validator == "required":
        missing = re.match(r"'(.*)' is a required property", error.message)
        name = missing.group(1) if missing else str(error.message)
        return _problem("required", [*parts, name], "is required")
    if validator == "additionalProperties":
        known = set(schema.get("properties") or {})
        extra = sorted(k for k in error.instance if k not in known) if isinstance(error.instance, dict) else []
        listed = ", ".join(sorted(known))
        if len(extra) == 1:
            return _problem("unknown_key", [*parts, extra[0]], f"unknown key (expected one of: {listed})")
        return _problem("unknown_key", parts, f"unknown keys {', '.join(map(repr, extra))} (expected one of: {listed})")
    if validator == "enum" and schema.get("x-unknown"):
        # A propertyNames failure: the instance is the unknown key itself.
        kind = schema["x-unknown"]
        allowed = ", ".join(schema["enum"])
        if kind == "placeholder" and error.instance == "isPresent":
            return _problem("unknown_placeholder", [*parts, error.instance], "isPresent is only allowed as an `if` condition (cond)")
        return _problem("unknown_placeholder", [*parts, error.instance], f"unknown {kind} {error.instance!r} (expected one of: {allowed})")
    if validator == "enum" and schema.get("x-hint") == "category":
        return _problem("unknown_category", parts, f"unknown category {error.instance!r} (expected one of: {', '.join(CATEGORIES)})")
    if validator in ("minProperties", "maxProperties") and "propertyNames" in schema:
        return _problem("invalid_placeholder", parts, "a placeholder is a mapping with exactly one key, e.g. {inputValue: name}")
    if validator == "minProperties" and parts == ["implementation"]:
        return _problem("invalid_implementation", parts, "needs a `container` (or a `graph`)")
    if validator == "type":
        expected = schema.get("type")
        names = expected if isinstance(expected, list) else [expected]
        if schema.get("x-hint") == "default":
            return _problem("invalid_type", parts, f"a default must be a single value (text, number or true/false), got {_TYPE_WORDS.get(_json_type_schema(error.instance), 'something else')}; write structured values as JSON text")
        if "propertyNames" in schema:
            return _problem("invalid_type", parts, f"expected text, a number or a placeholder like {{inputValue: name}}, got {_describe(error.instance)}")
        words = [_TYPE_WORDS.get(n, n) for n in names if n != "null"]
        expected_text = " or ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]
        return _problem("invalid_type", parts, f"expected {expected_text}, got {_describe(error.instance)}")
    if validator in ("minLength", "pattern") and parts and parts[-1] in ("name", "image"):
        what = "a name" if parts[-1] == "name" else "an image reference without spaces"
        return _problem("invalid_value", parts, f"must be {what}, got {error.instance!r}")
    if validator == "minLength":
        return _problem("invalid_value", parts, "must not be empty")
    if validator == "minimum":
        return _problem("invalid_value", parts, f"must be at least {error.validator_value}, got {error.instance!r}")
    if validator == "maxLength":
        return _problem("invalid_value", parts, f"is longer than {error.validator_value} characters")
    return _problem("invalid", parts, error.message)


def _json_type_schema(value: Any) -> str:
    kind = _json_type(value)
    return {"mapping": "object", "list": "array"}.get(kind, kind)


def _describe(value: Any) -> str:
    kind = _json_type(value)
    if kind in ("mapping", "list"):
        return f"a {kind}"
    if kind == "null":
        return "nothing"
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} ({json.dumps(value)[:40]})"


def _list_of(value: Any) -> list[Any]:
    """The value when it is a list; [] otherwise (the schema reports the wrong shape)."""
    return value if isinstance(value, list) else []


def _semantic_problems(spec: dict[str, Any]) -> Iterator[Problem]:
    # These checks run beside the schema's, so every value may have the wrong shape.
    inputs = [p for p in _list_of(spec.get("inputs")) if isinstance(p, dict) and isinstance(p.get("name"), str)]
    outputs = [p for p in _list_of(spec.get("outputs")) if isinstance(p, dict) and isinstance(p.get("name"), str)]
    # Names must be unique among inputs and among outputs; an input and an
    # output may share a name (real KFP files do: `table` in, `table` out).
    for key, ports in (("inputs", _list_of(spec.get("inputs"))), ("outputs", _list_of(spec.get("outputs")))):
        seen: dict[str, int] = {}
        for index, port in enumerate(ports):
            name = port.get("name") if isinstance(port, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                yield _problem("duplicate_name", (key, index, "name"), f"{name!r} is already declared at {key}[{seen[name]}]")
            else:
                seen[name] = index
    input_names = {p["name"] for p in inputs}
    output_names = {p["name"] for p in outputs}

    implementation = spec.get("implementation")
    if isinstance(implementation, dict) and "container" in implementation and "graph" in implementation:
        yield _problem("invalid_implementation", ("implementation",), "has both `container` and `graph`; a component has one implementation")

    for field, kind, name in iter_placeholders(spec):
        if kind in INPUT_REFERENCES and name not in input_names:
            hint = " (it is an output; use outputPath)" if name in output_names else ""
            yield Problem(code="unknown_input", message=f"{field}: {name!r} is not a declared input{hint}", field=field)
        elif kind in OUTPUT_REFERENCES and name not in output_names:
            hint = " (it is an input; use inputPath or inputValue)" if name in input_names else ""
            yield Problem(code="unknown_output", message=f"{field}: {name!r} is not a declared output{hint}", field=field)

    container = (implementation or {}).get("container") if isinstance(implementation, dict) else None
    if isinstance(container, dict) and isinstance(container.get("fileOutputs"), dict):
        for name in container["fileOutputs"]:
            if name not in output_names:
                yield _problem("unknown_output", ("implementation", "container", "fileOutputs", name), f"{name!r} is not a declared output")

    raw = spec.get("resources")
    if isinstance(raw, dict):
        for key, parse in (("cpu", cpu_cores), ("memory", memory_bytes)):
            value = raw.get(key)
            if value is None or isinstance(value, dict | list):
                continue  # absent, or already reported by the schema
            try:
                parse(value)
            except ValueError as exc:
                yield _problem("invalid_resources", ("resources", key), f"{exc} (examples: cpu 0.5 or '500m'; memory 512Mi, 1Gi, 2G)")


def _walk_arg(item: Any, field: str) -> Iterator[tuple[str, str, str]]:
    """Yields the port references inside one argument, recursing through concat/if."""
    if not isinstance(item, dict) or len(item) != 1:
        return
    (kind, value), = item.items()
    if kind in INPUT_REFERENCES or kind in OUTPUT_REFERENCES:
        if isinstance(value, str):
            yield f"{field}.{kind}", kind, value
    elif kind == "concat" and isinstance(value, list):
        for index, part in enumerate(value):
            yield from _walk_arg(part, f"{field}.concat[{index}]")
    elif kind == "if" and isinstance(value, dict):
        yield from _walk_arg(value.get("cond"), f"{field}.if.cond")
        for branch in ("then", "else"):
            arm = value.get(branch)
            if isinstance(arm, list):
                for index, part in enumerate(arm):
                    yield from _walk_arg(part, f"{field}.if.{branch}[{index}]")
            else:
                yield from _walk_arg(arm, f"{field}.if.{branch}")


def _port(raw: dict[str, Any], *, is_input: bool) -> Port:
    default = raw.get("default") if is_input else None
    return {
        "name": raw["name"],
        "type": type_name(raw.get("type")),
        "description": raw.get("description"),
        "default": to_command_line(default) if default is not None else None,
        "optional": bool(raw.get("optional", False)) if is_input else False,
    }
