"""Statistics, the printed table and the JSON file. No Django, no Docker: plain data in, text out."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def percentile(values: Iterable[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); p in [0, 100]."""
    data = sorted(values)
    if not data:
        return math.nan
    if len(data) == 1:
        return float(data[0])
    k = (len(data) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return float(data[lo] + (data[hi] - data[lo]) * (k - lo))


def summary(values: Sequence[float], digits: int = 4) -> dict[str, Any]:
    """Median and spread of repeated measurements."""
    if not values:
        return {"n": 0}
    r = lambda v: round(float(v), digits)  # noqa: E731
    return {
        "n": len(values),
        "median": r(percentile(values, 50)),
        "min": r(min(values)),
        "max": r(max(values)),
        "p25": r(percentile(values, 25)),
        "p75": r(percentile(values, 75)),
        "values": [r(v) for v in values],
    }


@dataclass
class Figure:
    """One row of the table: a measured value against its target (or why it has none yet)."""

    id: str
    name: str
    unit: str = ""
    value: float | None = None
    target: float | None = None
    # "<=" or ">=": how value must compare with target to meet it.
    comparison: str = "<="
    status: str = "measured"  # measured | not yet available | error
    reason: str = ""
    spread: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.status != "measured" or self.value is None or self.target is None:
            return None
        if isinstance(self.value, float) and math.isnan(self.value):
            return False
        return self.value <= self.target if self.comparison == "<=" else self.value >= self.target

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["met"] = self.met
        return data


def not_available(id_: str, name: str, reason: str, target: str) -> Figure:
    return Figure(id=id_, name=name, status="not yet available", reason=reason, details={"target": target})


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "queries":
        return f"{value:g}"
    return f"{value:g}"


def table(figures: list[Figure]) -> str:
    rows = [("id", "figure", "measured", "spread", "target", "status")]
    for f in figures:
        if f.status != "measured":
            rows.append((f.id, f.name, "-", "", str(f.details.get("target", "")), f"{f.status}: {f.reason}"))
            continue
        target = "" if f.target is None else f"{f.comparison} {_fmt(f.target, f.unit)}"
        status = {True: "met", False: "MISSED", None: "info"}[f.met]
        rows.append((f.id, f.name, _fmt(f.value, f.unit), f.spread, target, status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) for i in range(len(widths))] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ------")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "hostname": platform.node(),
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            models = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        info["cpu_model"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            total_kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
        info["memory_gib"] = round(total_kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    for key, cmd in {
        "docker": ["docker", "version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"],
        "postgresql": ["psql", "--version"],
        "redis": ["redis-server", "--version"],
    }.items():
        try:
            info[key] = subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            info[key] = "unknown"
    try:
        info["os"] = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        info["os"] = platform.platform()
    return info


def code_version(repo: Path) -> str:
    """The commit measured, and whether backend/ had uncommitted changes (BENCH_CODE_VERSION overrides)."""
    if os.environ.get("BENCH_CODE_VERSION"):
        return os.environ["BENCH_CODE_VERSION"]
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "backend"], capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}{' + uncommitted backend changes' if dirty else ''}" if head else "unknown"


def machine_line(m: dict[str, Any]) -> str:
    return (f"{m.get('cpus')} cores ({m.get('cpu_model', '?')}), {m.get('memory_gib', '?')} GiB, "
            f"Docker {m.get('docker', '?')}, kernel {m.get('kernel')}, {m.get('os', '')}")


def write_json(path: Path, *, figures: list[Figure], machine_info: dict[str, Any], options: dict[str, Any],
               extra: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info,
        "options": options,
        "figures": [f.as_dict() for f in figures],
        **extra,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
