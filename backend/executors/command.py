"""Builds a container's command line from a KFP v1 spec's placeholders.

`inputValue` → the value as text; `inputPath` → `/inputs/<name>`;
`outputPath` → `/outputs/<name>`; `concat` joins; `if`/`cond`/`isPresent`
choose between `then` and `else` lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.types import to_command_line

INPUTS_DIR = "/inputs"
OUTPUTS_DIR = "/outputs"


class CommandLineError(ValueError):
    pass


@dataclass
class CommandLine:
    command: list[str]
    args: list[str]
    input_paths: dict[str, str] = field(default_factory=dict)
    output_paths: dict[str, str] = field(default_factory=dict)


def build(spec: dict[str, Any], *, values: dict[str, Any], present: set[str]) -> CommandLine:
    """values: input name → value (for inputValue); present: inputs that have a binding or default."""
    container = (spec.get("implementation") or {}).get("container") or {}
    result = CommandLine(command=[], args=[])

    def one(item: Any, where: str) -> str:
        parts = expand(item, where)
        if len(parts) != 1:
            raise CommandLineError(f"{where}: expected one value inside concat, got {len(parts)}")
        return parts[0]

    def truthy(cond: Any, where: str) -> bool:
        if isinstance(cond, bool):
            return cond
        if isinstance(cond, str):
            return cond.strip().lower() == "true"
        if isinstance(cond, dict) and "isPresent" in cond:
            return cond["isPresent"] in present
        if isinstance(cond, dict):
            return one(cond, where).strip().lower() == "true"
        raise CommandLineError(f"{where}: cannot evaluate condition {cond!r}")

    def expand(item: Any, where: str) -> list[str]:
        if item is None:
            return []
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            return [str(item)]
        if isinstance(item, bool):
            return [to_command_line(item)]
        if isinstance(item, dict) and len(item) == 1:
            kind, arg = next(iter(item.items()))
            if kind == "inputValue":
                if arg not in values:
                    if arg in present:
                        return []
                    raise CommandLineError(f"input {arg!r} has no value (bind it, or give it a default)")
                return [to_command_line(values[arg])]
            if kind in ("inputPath", "inputUri"):
                if arg not in present:
                    raise CommandLineError(f"input {arg!r} has no value (bind it, or give it a default)")
                path = f"{INPUTS_DIR}/{arg}"
                result.input_paths[arg] = path
                return [path]
            if kind in ("outputPath", "outputUri"):
                path = f"{OUTPUTS_DIR}/{arg}"
                result.output_paths[arg] = path
                return [path]
            if kind == "concat":
                return ["".join(one(part, f"{where}.concat[{i}]") for i, part in enumerate(arg or []))]
            if kind == "if":
                branch = "then" if truthy(arg.get("cond"), f"{where}.if.cond") else "else"
                chosen = arg.get(branch) or []
                if not isinstance(chosen, list):
                    chosen = [chosen]
                out: list[str] = []
                for i, part in enumerate(chosen):
                    out.extend(expand(part, f"{where}.if.{branch}[{i}]"))
                return out
            if kind == "isPresent":
                return [to_command_line(arg in present)]
        raise CommandLineError(f"{where}: unsupported placeholder {item!r}")

    for i, item in enumerate(container.get("command") or []):
        result.command.extend(expand(item, f"command[{i}]"))
    for i, item in enumerate(container.get("args") or []):
        result.args.extend(expand(item, f"args[{i}]"))
    # Outputs not named on the command line are still collected if written.
    for output in spec.get("outputs") or []:
        result.output_paths.setdefault(output["name"], f"{OUTPUTS_DIR}/{output['name']}")
    return result
