"""P6: the editor opens a generated 500-node pipeline in Chromium and responds to a drag.

The pipeline is written through the service layer; the browser side is
bench/editor/p6.mjs (Playwright's playwright-core driving Debian's Chromium,
installed by bench/run.sh), which measures with the page's Performance API and
prints JSON. This module turns that JSON into Figures. Definitions of "open"
and "frame time" are at the top of p6.mjs and in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.report import Figure, not_available, percentile, summary
from bench.stack import REPO

DRIVER_DIR = REPO / "bench" / "editor"
DRIVER = DRIVER_DIR / "p6.mjs"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

OPEN_TARGET_MS = 1000.0
FRAME_TARGET_MS = 20.0

# A step with a few ports, so that the graph can have chains and fan-ins: `a` continues a chain,
# `b` and `c` join other branches. Never run: P6 only opens the pipeline.
JOIN_YAML = """
name: Bench join
description: "Benchmark step for the editor (bench/ P6): three inputs join branches, two outputs feed on."
metadata:
  annotations: {category: data-processing}
inputs:
- {name: a, type: File, optional: true, description: the chain this step continues}
- {name: b, type: File, optional: true, description: a neighbouring branch}
- {name: c, type: File, optional: true, description: a skip connection from two columns back}
outputs:
- {name: out, type: File, description: the main output}
- {name: aux, type: File, description: a side output}
implementation:
  container:
    image: pipeline-studio/base:1
    command: [python3, -c, "import sys; [open(p, 'w').close() for p in sys.argv[1:]]"]
    args: [{outputPath: out}, {outputPath: aux}]
resources: {cpu: 1, memory: 128Mi}
"""


def editor_graph(cv_id: int, *, columns: int = 20, rows: int = 25) -> tuple[dict[str, Any], int]:
    """A layered DAG of columns × rows steps, left to right, and its number of edges.

    Step (col, row) continues the chain of its row (`a` ← (col-1, row).out), joins the next row's
    branch (`b` ← (col-1, row+1).aux) and takes a skip connection from two columns back
    (`c` ← (col-2, 7·row+3 mod rows).out): about 2.8 incoming edges a step, and every output
    feeds one to three steps.
    """
    def nid(col: int, row: int) -> str:
        return f"c{col:02d}-r{row:02d}"

    nodes, edges = [], 0
    for col in range(columns):
        for row in range(rows):
            args: dict[str, Any] = {}
            if col >= 1:
                args["a"] = {"from": {"node": nid(col - 1, row), "output": "out"}}
                args["b"] = {"from": {"node": nid(col - 1, (row + 1) % rows), "output": "aux"}}
            if col >= 2:
                args["c"] = {"from": {"node": nid(col - 2, (7 * row + 3) % rows), "output": "out"}}
            edges += len(args)
            nodes.append({"id": nid(col, row), "component_version": cv_id, "label": f"step {col}.{row}",
                          "position": {"x": 340 * col, "y": 200 * row}, "arguments": args})
    return {"schema_version": 1, "nodes": nodes}, edges


def make_editor_pipeline(*, columns: int = 20, rows: int = 25) -> dict[str, Any]:
    from catalog.services import component_import
    from pipelines.services import pipeline_create

    version, _ = component_import(text=JOIN_YAML)
    graph, edges = editor_graph(version.pk, columns=columns, rows=rows)
    pipeline = pipeline_create(name=f"bench editor {columns * rows} steps {uuid.uuid4().hex[:6]}",
                               description="created by bench/ (P6)", graph=graph, parameters=[])
    return {"id": pipeline.pk, "nodes": len(graph["nodes"]), "edges": edges,
            # A step in the middle of the graph: the drag moves it over its neighbours' edges.
            "drag_node": graph["nodes"][(columns // 2) * rows + rows // 2]["id"]}


def session_cookie(username: str = "bench") -> dict[str, str]:
    """A signed-in browser session for the bench user (the editor uses session auth, not tokens)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


def collect_static() -> None:
    """Copies the built editor (frontend/dist) into STATIC_ROOT, where gunicorn's whitenoise serves it from."""
    from django.conf import settings
    from django.core.management import call_command

    if (Path(settings.FRONTEND_DIST) / "index.html").is_file():
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)


def driver_missing() -> str | None:
    if not shutil.which("node"):
        return "Node.js is not installed (bench/run.sh installs it through scripts/frontend.sh)"
    if not (DRIVER_DIR / "node_modules" / "playwright-core").is_dir():
        return "bench/editor/node_modules is missing: run the bench through bench/run.sh, which installs it"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "index.html").is_file():
        return "the editor is not built (frontend/dist): bench/run.sh builds it with scripts/frontend.sh"
    return None


def run_driver(config: dict[str, Any], *, log_file: Path, timeout: float = 900) -> dict[str, Any]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(["node", str(DRIVER)], cwd=DRIVER_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(json.dumps(config))
        proc.stdin.close()
        # Progress lines go to the bench's stderr as they come, and to the log.
        for line in proc.stderr:
            err.write(line)
            sys.stderr.write(line)
        out = proc.stdout.read()
        code = proc.wait(timeout=timeout)
    if code != 0:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-600:]
        raise RuntimeError(f"bench/editor/p6.mjs exited with {code}: {tail}")
    return json.loads(out)


def _frames(reps: list[dict[str, Any]], gesture: str) -> tuple[list[float], list[float]]:
    pooled = [d for rep in reps for d in rep[gesture]["frames"]]
    per_rep_p95 = [percentile(rep[gesture]["frames"], 95) for rep in reps]
    return pooled, per_rep_p95


def _loaf_summary(reps: list[dict[str, Any]], gesture: str) -> dict[str, Any]:
    """Long animation frames during a gesture, and which scripts (function @ file) took their time."""
    frames = [f for rep in reps for f in rep[gesture]["loaf"]]
    scripts: Counter[str] = Counter()
    for f in frames:
        for s in f["scripts"]:
            scripts[f"{s['invoker']} → {s['fn'] or '?'} @ {s['url']}:{s['char']}"] += round(s["duration"])
    return {"count": len(frames), "longest_ms": round(max((f["duration"] for f in frames), default=0), 1),
            "blocking_ms_total": round(sum(f["blocking"] for f in frames), 1),
            "scripts_ms": dict(scripts.most_common(8))}


def p6_unavailable(reason: str, steps: int = 500) -> list[Figure]:
    return [not_available("P6", f"{steps}-node pipeline opens in Chromium", reason, "<= 1 s"),
            not_available("P6", "drag a step across the canvas: frame time p95", reason, "<= 20 ms"),
            not_available("P6", "pan the canvas: frame time p95", reason, "<= 20 ms")]


def p6_editor(*, base_url: str, reps: int, warmup: int, scratch: Path, log: Any,
              columns: int = 20, rows: int = 25) -> tuple[list[Figure], dict[str, Any]]:
    if reason := driver_missing():
        return p6_unavailable(reason, columns * rows), {"reason": reason}
    pipeline = make_editor_pipeline(columns=columns, rows=rows)
    n, e = pipeline["nodes"], pipeline["edges"]
    log(f"P6: pipeline {pipeline['id']} with {n} steps and {e} edges; {warmup} warm-up + {reps} openings, "
        f"each with a drag of {pipeline['drag_node']} and a pan")
    config = {"baseUrl": base_url, "cookie": session_cookie(), "pipelineId": pipeline["id"], "nodes": n,
              "edges": e, "dragNode": pipeline["drag_node"], "reps": reps, "warmup": warmup, "chromium": CHROMIUM,
              "viewport": {"width": 1920, "height": 1080}, "profileDir": str(scratch / "profile")}
    result = run_driver(config, log_file=scratch / "log" / "p6-driver.log")
    runs = result["reps"]
    chromium = result["chromium"]
    where = f"Chromium {chromium}, headless, no GPU, 1920×1080"

    open_ms = [r["timing"]["openMs"] for r in runs]
    s_open = summary(open_ms, 1)
    phases = {k: summary([r["timing"][k] for r in runs if r["timing"].get(k) is not None], 1)
              for k in ("htmlResponseEnd", "scriptsLoaded", "apiDone", "firstNode", "allNodesInDom",
                        "allNodesMeasured", "allEdges", "openMs", "longestFrameWhileOpening")}
    med = {k: v.get("median") for k, v in phases.items()}
    figures = [
        Figure("P6", f"{n}-node pipeline opens in Chromium {chromium.split('.')[0]} (navigation → all steps and edges "
                     "painted), median", "ms",
               s_open["median"], OPEN_TARGET_MS,
               spread=f"{s_open['min']:.0f}-{s_open['max']:.0f} ms, n={s_open['n']}; API done {med['apiDone']:.0f}, "
                      f"steps in DOM {med['allNodesInDom']:.0f}, measured {med['allNodesMeasured']:.0f} ms",
               details={"open_ms": s_open, "phases_ms": phases}),
    ]
    stats: dict[str, Any] = {}
    for gesture, label in (("drag", "drag a step across the canvas"), ("pan", "pan the canvas")):
        pooled, rep_p95 = _frames(runs, gesture)
        p50, p95 = percentile(pooled, 50), percentile(pooled, 95)
        slow = sum(1 for d in pooled if d > FRAME_TARGET_MS)
        loaf = _loaf_summary(runs, gesture)
        stats[gesture] = {"frames": len(pooled), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
                          "max_ms": round(max(pooled), 1), "over_20ms": slow, "per_rep_p95_ms": summary(rep_p95, 2),
                          "wall_ms": summary([r[gesture]["wallMs"] for r in runs], 1), "long_animation_frames": loaf}
        figures.append(Figure(
            "P6", f"{label}: frame time p95", "ms", round(p95, 2), FRAME_TARGET_MS,
            spread=f"p50 {p50:.1f}, max {max(pooled):.0f} ms; {slow}/{len(pooled)} frames over 20 ms; "
                   f"per-opening p95 {min(rep_p95):.1f}-{max(rep_p95):.1f}",
            details=stats[gesture]))
    details = {
        "chromium": chromium, "where": where, "pipeline": pipeline,
        "definition": {
            "open": "performance.now() (from navigation start) in the first requestAnimationFrame callback after the "
                    "frame in which every step is in the DOM with its size measured and every edge is drawn",
            "frame_time": "difference of consecutive requestAnimationFrame timestamps from mouse down to two frames "
                          f"after mouse up; {config.get('dragMoves', 90)} mouse moves, one per frame",
        },
        "zoom": runs[0]["zoom"] if runs else None, "step_on_screen_px": runs[0]["nodeOnScreen"] if runs else None,
        "open_ms": s_open, "phases_ms": phases, "gestures": stats,
        "dom_elements": runs[0]["timing"].get("domNodes") if runs else None,
        "page_errors": sorted({err for r in runs for err in r["errors"]}),
        "profile": result.get("profile"),
        "reps": runs, "warmup": result["warmup"],
    }
    return figures, details
