"""The profile pass: the P1 chain again, (a) with py-spy attached to the plain worker, (b) on the tracing worker.

Runs after the measured scenarios, so neither the sampler nor the hooks touch
a reported figure. Returns raw summaries plus a printable breakdown.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from bench import profiling, scenarios
from bench.report import percentile
from bench.stack import BenchWorker, CeleryWorker, Process


def run(ctx: scenarios.Context, *, env: dict[str, str], var_dir: Path, worker: CeleryWorker, steps: int, runs: int,
        concurrency: int, processes: list[Process]) -> dict[str, Any]:
    out_dir = var_dir / "profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    pipeline = scenarios.make_pipeline(f"bench profile chain {steps}", scenarios.chain_nodes(ctx.component_version_id, steps))
    node_ids = [n["id"] for n in pipeline.latest_version.graph["nodes"]]
    result: dict[str, Any] = {"steps": steps, "runs": runs}

    # (a) py-spy, sampling the plain worker.
    if profiling.py_spy_available():
        ctx.log(f"profile: {runs} chain runs under py-spy (worker pid {worker.pid})")
        scenarios.timed_run(ctx, pipeline.pk, steps)  # warm
        raw = out_dir / "py-spy.raw"
        spy = profiling.PySpy(worker.pid, raw, rate=200).start()
        try:
            walls = [scenarios.timed_run(ctx, pipeline.pk, steps)["wall"] for _ in range(runs)]
        finally:
            spy.stop()
        result["py_spy"] = profiling.summarize_py_spy(raw, 200)
        result["py_spy"]["chain_seconds"] = [round(w, 3) for w in walls]
        result["py_spy"]["raw_file"] = str(raw)
    else:
        result["py_spy"] = {"error": "py-spy not installed (pip install -r bench/requirements.txt)"}

    # (b) the tracing worker replaces the plain one.
    ctx.log("profile: the same chain on the tracing worker")
    worker.stop()
    trace = out_dir / "trace.jsonl"
    trace.unlink(missing_ok=True)
    tracer = BenchWorker(env=env, log=var_dir / "log" / "tracing-worker.log", concurrency=concurrency, trace=trace,
                         tag="bench-trace").start()
    processes.append(tracer)
    scenarios.timed_run(ctx, pipeline.pk, steps)  # warm; its lines are dropped below
    tracer_lines_warm = len(trace.read_text().splitlines()) if trace.exists() else 0
    timelines, walls = [], []
    for _ in range(runs):
        run = scenarios.timed_run(ctx, pipeline.pk, steps)
        walls.append(run["wall"])
        timelines.append(scenarios.chain_timeline(ctx, run, node_ids))
    tracer.stop()
    if trace.exists():
        lines = trace.read_text().splitlines()
        trace.write_text("\n".join(lines[tracer_lines_warm:]) + "\n")
    result["trace"] = profiling.summarize_trace(trace, steps * runs)
    result["trace"]["chain_seconds"] = [round(w, 3) for w in walls]
    parts: dict[str, list[float]] = defaultdict(list)
    for t in timelines:
        for k, v in t["parts"].items():
            parts[k] += [x * 1000 for x in v]
    result["trace"]["gap_breakdown_ms_p50"] = {k: round(percentile(v, 50), 1) for k, v in parts.items()}
    result["text"] = breakdown_text(result)
    return result


def breakdown_text(result: dict[str, Any]) -> str:
    lines = [f"Profile: {result['steps']}-step chain, {result['runs']} runs per pass"]
    trace = result.get("trace") or {}
    tasks = trace.get("tasks") or {}
    gap = trace.get("gap_breakdown_ms_p50") or {}
    if gap:
        lines.append("  critical path between two steps (p50, tracing pass):")
        for k, v in gap.items():
            lines.append(f"    {v:8.1f} ms  {k}")
        lines.append(f"    {sum(gap.values()):8.1f} ms  total")
    for name in ("runs.execute_step", "runs.advance_run"):
        t = tasks.get(name)
        if not t:
            continue
        lines.append(f"  {name}: {t['count']} tasks, mean wall {t['wall_ms_mean']:.1f} ms; "
                     f"{t['sql_statements_per_task']} SQL statements ({t['sql_ms_per_task']:.1f} ms), "
                     f"{t['docker_calls_per_task']} Docker API calls per task")
        for key, v in list(t["ops_per_task"].items())[:16]:
            lines.append(f"    {v['ms']:8.1f} ms  {v['calls']:5.2f}×  {key}")
    spy = result.get("py_spy") or {}
    if "seconds" in spy:
        per = result["steps"] * result["runs"]
        lines.append(f"  py-spy, thread time per step (wall, incl. blocked), {spy['rate_hz']} Hz:")
        for kind, cats in spy["seconds"].items():
            lines.append(f"    {kind}: {sum(cats.values()) / per * 1000:.1f} ms/step")
            for cat, secs in list(cats.items())[:10]:
                lines.append(f"      {secs / per * 1000:8.1f} ms  {cat}")
    elif "error" in spy:
        lines.append(f"  py-spy: {spy['error']}")
    return "\n".join(lines)


def what_if(ctx: scenarios.Context, *, env: dict[str, str], var_dir: Path, steps: int, concurrency: int,
            variants: list[str], processes: list[Process]) -> dict[str, Any]:
    """P1 and P2 again on a worker patched with bench.experiments (never the reported figures)."""
    results: dict[str, Any] = {}
    for variant in variants:
        ctx.log(f"what-if [{variant}]: P1 and P2 on a patched worker")
        w = BenchWorker(env=env, log=var_dir / "log" / f"worker-{variant}.log", concurrency=concurrency,
                        experiments=variant, tag="bench-whatif").start()
        processes.append(w)
        ctx.workers = [w]
        try:
            f1, d1 = scenarios.p1_chain(ctx, steps=steps, hardened_baseline=False)
            f2, d2 = scenarios.p2_fanout(ctx, width=steps)
        finally:
            w.stop()
        results[variant] = {
            "figures": [f.as_dict() for f in f1 + f2],
            "P1_ratio": f1[0].value, "P1_engine_s": d1["engine_seconds"]["median"], "P1_bare_s": d1["bare_seconds"]["median"],
            "P3_gap_p50_ms": next(f.value for f in f1 if f.id == "P3"),
            "P3_gap_p95_ms": [f.value for f in f1 if f.id == "P3"][1],
            "P2_ratio": f2[0].value, "P2_engine_s": d2["engine_seconds"]["median"], "P2_bare_s": d2["bare_seconds"]["median"],
            "gap_breakdown_ms_p50": {k: v["median"] for k, v in d1["gap_breakdown_ms"].items()},
        }
    lines = ["What-if (engine patched inside the bench worker by bench/experiments.py; not the reported figures):"]
    for variant, r in results.items():
        lines.append(f"  [{variant}] P1 {r['P1_ratio']:.2f}x ({r['P1_engine_s']:.2f}s vs {r['P1_bare_s']:.2f}s), "
                     f"P3 gap p50 {r['P3_gap_p50_ms']:.0f} ms / p95 {r['P3_gap_p95_ms']:.0f} ms, "
                     f"P2 {r['P2_ratio']:.2f}x ({r['P2_engine_s']:.2f}s vs {r['P2_bare_s']:.2f}s)")
        for k, v in r["gap_breakdown_ms_p50"].items():
            lines.append(f"      {v:7.1f} ms  {k}")
    return {"variants": results, "text": "\n".join(lines)}
