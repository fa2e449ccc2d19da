"""Renders a results JSON as the "Latest figures" section of docs/benchmarks.md.

    python -m bench.markdown [bench/results/latest.json]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from bench.report import Figure, _fmt, machine_line


def render(document: dict[str, Any]) -> str:
    m = document["machine"]
    opts = document.get("options", {})
    version = lambda text: (re.search(r"\d+\.\d+(\.\d+)?", text or "") or re.search("", "")).group(0) or "?"  # noqa: E731
    lines = [
        f"Measured {document['date']} on {machine_line(m)}; PostgreSQL {version(m.get('postgresql'))}, "
        f"Redis {version(m.get('redis'))}. "
        f"Code: {document.get('code', '?')}. "
        f"{opts.get('reps', '?')} measured repetitions after {opts.get('warmup', '?')} warm-up; "
        f"P7 with {opts.get('p7_runs', '?')} runs; the whole bench took {opts.get('duration_seconds', 0) // 60} min.",
    ]
    loads = document.get("load_average") or {}
    if loads:
        peak = max(v[0] for v in loads.values())
        lines.append(f"1-minute load average: {loads['start'][0]:.1f} at the start, up to {peak:.1f} "
                     f"(on {m.get('cpus')} cores; other sessions were running tests on the same machine).")
    lines += ["", "| id | figure | measured | spread | target | status |", "| --- | --- | --- | --- | --- | --- |"]
    for raw in document["figures"]:
        f = Figure(**{k: v for k, v in raw.items() if k != "met"})
        if f.status != "measured":
            lines.append(f"| {f.id} | {f.name} | – | | {f.details.get('target', '')} | {f.status}: {f.reason} |")
            continue
        target = "" if f.target is None else f"{'≤' if f.comparison == '<=' else '≥'} {_fmt(f.target, f.unit)}"
        status = {True: "met", False: "**missed**", None: "info"}[f.met]
        lines.append(f"| {f.id} | {f.name} | {_fmt(f.value, f.unit)} | {f.spread} | {target} | {status} |")
    for section in ("profile", "what_if"):
        text = (document.get(section) or {}).get("text")
        if text:
            lines += ["", "```", text, "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results" / "latest.json")
    sys.stdout.write(render(json.loads(path.read_text())))


if __name__ == "__main__":
    main()
