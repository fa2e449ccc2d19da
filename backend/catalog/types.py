"""The type system of component ports (DESIGN.md "Component spec").

Value types travel on the command line (`inputValue`); artifact types travel as
files (`inputPath`/`outputPath`). Types we do not know (third-party KFP specs
use many: `CSV`, `ApacheParquet`, `XGBoostModel`, ...) are opaque artifact
types: they connect to the same type or to `File`/untyped inputs.
"""

from __future__ import annotations

import json
from typing import Any

VALUE_TYPES = frozenset({"String", "Integer", "Float", "Boolean", "JSON"})
ARTIFACT_TYPES = frozenset({"Dataset", "Model", "Metrics", "ConfusionMatrix", "ROC", "Table", "Markdown", "File"})
KNOWN_TYPES = VALUE_TYPES | ARTIFACT_TYPES
# Inputs of these types (or untyped ones) accept any output.
ACCEPTS_ANY = frozenset({"File"})

# KFP v1 spells some value types differently; they mean the same.
TYPE_ALIASES = {
    "str": "String",
    "Str": "String",
    "string": "String",
    "int": "Integer",
    "Int": "Integer",
    "integer": "Integer",
    "float": "Float",
    "Double": "Float",
    "bool": "Boolean",
    "Bool": "Boolean",
    "boolean": "Boolean",
    "dict": "JSON",
    "list": "JSON",
    "JsonObject": "JSON",
    "JsonArray": "JSON",
    "Dict": "JSON",
    "List": "JSON",
}


def type_name(raw: Any) -> str | None:
    """A port's type as one string: None when untyped; dict types (`{GCSPath: {...}}`) by their key."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, dict):
        if not raw:
            return None
        raw = next(iter(raw))
    name = str(raw)
    return TYPE_ALIASES.get(name, name)


def is_value_type(name: str | None) -> bool:
    return name in VALUE_TYPES


def compatible(output_type: str | None, input_type: str | None) -> bool:
    """May an output of `output_type` feed an input of `input_type`?"""
    if input_type is None or input_type in ACCEPTS_ANY:
        return True
    if output_type is None:
        # An untyped output may feed anything: the author promised nothing.
        return True
    return output_type == input_type


def coerce_value(type_: str | None, value: Any) -> Any:
    """Checks a constant or parameter value against a value type; returns it normalised.

    Raises ValueError with a readable reason. Strings are accepted where KFP
    accepts them ('100' for an Integer), as the command line is text anyway.
    """
    if type_ == "Integer":
        if isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected an integer, got {value!r}")
    if type_ == "Float":
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected a number, got {value!r}")
    if type_ == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        raise ValueError(f"expected true or false, got {value!r}")
    if type_ == "JSON":
        if isinstance(value, str):
            try:
                json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"expected JSON text: {exc.msg} at position {exc.pos}") from None
            return value
        return value
    if type_ == "String":
        if isinstance(value, (dict, list)):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return value if isinstance(value, str) else json.dumps(value) if value is not None else ""
    return value


def to_command_line(value: Any) -> str:
    """How a value appears on a container's command line (KFP conventions)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


_MEMORY_UNITS = {
    "": 1,
    "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4,
    "ki": 1024, "mi": 1024**2, "gi": 1024**3, "ti": 1024**4,
}


def parse_memory(value: Any) -> int:
    """'512Mi', '1Gi', '2G', 1073741824 → bytes (Kubernetes quantity spelling)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a memory size like '512Mi', got {value!r}")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ValueError(f"memory must be positive, got {value!r}")
        return int(value)
    text = str(value).strip()
    number = text.rstrip("KMGTkmgtiIBb")
    unit = text[len(number):].lower().removesuffix("b")
    try:
        amount = float(number)
    except ValueError:
        raise ValueError(f"expected a memory size like '512Mi' or '1Gi', got {value!r}") from None
    if unit not in _MEMORY_UNITS or amount <= 0:
        raise ValueError(f"expected a memory size like '512Mi' or '1Gi', got {value!r}")
    return int(amount * _MEMORY_UNITS[unit])


def parse_cpu(value: Any) -> float:
    """1, 0.5, '500m', '2' → cores."""
    if isinstance(value, bool):
        raise ValueError(f"expected a CPU amount like 1, 0.5 or '500m', got {value!r}")
    text = str(value).strip()
    try:
        cores = float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        raise ValueError(f"expected a CPU amount like 1, 0.5 or '500m', got {value!r}") from None
    if cores <= 0:
        raise ValueError(f"CPU must be positive, got {value!r}")
    return cores
