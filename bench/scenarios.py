"""The scenarios P1-P7 of issue 6. Each returns Figures (bench.report) plus raw details.

They run inside a process where Django is set up against the stack's
database (bench/cli.py, or the test suite's database in the smoke test), and
talk to the stack the way its users do: HTTP for triggers and reads, the
service layer where the issue says "queued at once", Docker for baselines.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.report import Figure, not_available, percentile, summary
from bench.stack import Api, CeleryWorker, DockerEvents, Event

IMAGE = "pipeline-studio/base:1"
# The step's whole program. The baselines run this very command line in the same image.
SCRIPT = "import sys; open(sys.argv[1], 'w').close()"
MEMORY = 128 * 1024 * 1024

COMPONENT_YAML = f"""
name: Bench no-op
description: |
  Benchmark step (bench/): writes an empty output file and exits. The
  optional input only orders a chain; it is not on the command line, so
  every step runs exactly `python3 -c "{SCRIPT}" /outputs/out`.
metadata:
  annotations: {{category: test}}
inputs:
- {{name: after, type: File, optional: true, description: upstream output (orders the chain)}}
outputs:
- {{name: out, type: File, description: an empty file}}
implementation:
  container:
    image: {IMAGE}
    command: [python3, -c, "{SCRIPT}"]
    args: [{{outputPath: out}}]
resources: {{cpu: 1, memory: 128Mi}}
"""

NAME_RE = re.compile(r"^ps-(\d+)-(.+)-(\d+)$")


@dataclass
class Context:
    """What every scenario needs: the API, the event recorder, the worker(s), where to put scratch files."""

    api: Api
    events: DockerEvents
    workers: list[CeleryWorker]
    scratch: Path
    reps: int = 5
    warmup: int = 1
    log: Callable[[str], None] = print
    component_version_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- set-up


def bench_component() -> Any:
    from catalog.services import component_import

    version, _ = component_import(text=COMPONENT_YAML)
    return version


def _node(node_id: str, cv_id: int, x: int, upstream: str | None = None) -> dict[str, Any]:
    arguments = {"after": {"from": {"node": upstream, "output": "out"}}} if upstream else {}
    return {"id": node_id, "component_version": cv_id, "label": node_id, "position": {"x": x, "y": 0},
            "arguments": arguments}


def chain_nodes(cv_id: int, steps: int, prefix: str = "bench-s") -> list[dict[str, Any]]:
    ids = [f"{prefix}{i:02d}" for i in range(1, steps + 1)]
    return [_node(nid, cv_id, 220 * i, ids[i - 1] if i else None) for i, nid in enumerate(ids)]


def fanout_nodes(cv_id: int, width: int, prefix: str = "bench-f") -> list[dict[str, Any]]:
    return [{**_node(f"{prefix}{i:02d}", cv_id, 0), "position": {"x": 0, "y": 120 * i}} for i in range(1, width + 1)]


def make_pipeline(name: str, nodes: list[dict[str, Any]]) -> Any:
    from pipelines.services import pipeline_create

    return pipeline_create(name=f"{name} {uuid.uuid4().hex[:6]}", description="created by bench/",
                           graph={"schema_version": 1, "nodes": nodes}, parameters=[])


# --------------------------------------------------------------------------- measuring one engine run


def wait_run(run_id: int, timeout: float, poll: float = 0.01) -> dict[str, Any]:
    from runs.models import RUN_TERMINAL, Run

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = Run.objects.filter(pk=run_id).values("status", "created_at", "started_at", "finished_at", "error").first()
        if row and row["status"] in RUN_TERMINAL:
            return row
        time.sleep(poll)
    from runs.models import StepRun

    steps = list(StepRun.objects.filter(run_id=run_id).values("node_id", "status", "error"))
    raise RuntimeError(f"run {run_id} did not finish in {timeout:.0f}s: {steps}")


def timed_run(ctx: Context, pipeline_id: int, steps: int, timeout: float = 300) -> dict[str, Any]:
    """API trigger → run completed. Wall time ends at the run's recorded finished_at (not at our poll)."""
    t0 = time.time()
    run_id = ctx.api.start_run(pipeline_id)
    t_response = time.time()
    row = wait_run(run_id, timeout)
    if row["status"] != "completed":
        raise RuntimeError(f"run {run_id} ended {row['status']}: {row['error']}")
    wall = row["finished_at"].timestamp() - t0
    # Quiesce: the engine removes containers after the step is recorded; let that finish before the next
    # measurement so one repetition's clean-up does not slow the next one down.
    prefix = f"ps-{run_id}-"
    ctx.events.wait_for(lambda evs: sum(1 for e in evs if e.action == "destroy" and e.name.startswith(prefix)) >= steps,
                        timeout=30)
    return {"run_id": run_id, "t0": t0, "post_seconds": t_response - t0, "wall": wall}


# --------------------------------------------------------------------------- baselines


def bare_args(name: str, outputs: Path, *, hardened: bool = False) -> list[str]:
    """`docker run --rm --network none` of the step's image and command line, outputs mounted like the engine's."""
    args = ["docker", "run", "--rm", "--network", "none", "--name", name, "-v", f"{outputs}:/outputs"]
    if hardened:
        # Every flag the engine's launcher adds (executors/docker_engine.py), to split flag cost from orchestration.
        args += ["--read-only", "--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=512m,mode=1777", "--cap-drop", "ALL",
                 "--security-opt", "no-new-privileges", "--pids-limit", "512", "--init", "--user", "1000:1000",
                 "--workdir", "/tmp", "--memory", str(MEMORY), "--memory-swap", str(MEMORY), "--cpus", "1",
                 "-e", "HOME=/tmp"]
    return args + [IMAGE, "python3", "-c", SCRIPT, "/outputs/out"]


def _output_dirs(ctx: Context, tag: str, n: int) -> Path:
    root = ctx.scratch / "baseline" / tag
    for i in range(n):
        d = root / str(i)
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o777)  # the image's user (uid 1000) writes there
    return root


def bare_sequential(ctx: Context, n: int, *, hardened: bool = False) -> dict[str, Any]:
    tag = f"{'hard' if hardened else 'seq'}-{uuid.uuid4().hex[:8]}"
    root = _output_dirs(ctx, tag, n)
    t0 = time.perf_counter()
    for i in range(n):
        subprocess.run(bare_args(f"bench-base-{tag}-{i:02d}", root / str(i), hardened=hardened), check=True,
                       stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    shutil.rmtree(root, ignore_errors=True)
    return {"tag": tag, "wall": wall}


def bare_parallel(ctx: Context, n: int) -> dict[str, Any]:
    """`xargs -P<n> docker run ...`: n containers at once, as a shell script would."""
    tag = f"par-{uuid.uuid4().hex[:8]}"
    root = _output_dirs(ctx, tag, n)
    args = ["xargs", "-P", str(n), "-I", "{}"] + bare_args(f"bench-base-{tag}-{{}}", root / "{}")
    t0 = time.perf_counter()
    subprocess.run(args, input="\n".join(str(i) for i in range(n)) + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    shutil.rmtree(root, ignore_errors=True)
    return {"tag": tag, "wall": wall}


# --------------------------------------------------------------------------- timelines (P3)


def _by_node(events: list[Event], prefix: str) -> dict[str, dict[str, float]]:
    """{node: {action: first time}} for the containers whose names start with prefix."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for e in events:
        if not e.name.startswith(prefix):
            continue
        match = NAME_RE.match(e.name)
        node = match.group(2) if match else e.name[len(prefix):]
        out[node].setdefault(e.action, e.t)
    return out


def chain_timeline(ctx: Context, run: dict[str, Any], node_ids: list[str]) -> dict[str, Any]:
    """Where the time between two consecutive containers goes, from Docker events and the step rows."""
    from runs.models import Run, StepRun

    run_id = run["run_id"]
    ev = _by_node(ctx.events.snapshot(), f"ps-{run_id}-")
    rows = {s["node_id"]: s for s in StepRun.objects.filter(run_id=run_id).values(
        "node_id", "queued_at", "started_at", "finished_at", "launched_at", "standby")}
    r = Run.objects.filter(pk=run_id).values("created_at", "started_at", "finished_at").get()
    ts = lambda dt: dt.timestamp() if dt else float("nan")  # noqa: E731
    gaps, to_create, parts = [], [], defaultdict(list)
    standby = 0
    for a, b in zip(node_ids, node_ids[1:], strict=False):
        ea, eb, ra, rb = ev.get(a, {}), ev.get(b, {}), rows[a], rows[b]
        if "die" not in ea or "start" not in eb:
            continue
        # A standby container starts before its upstream ends (runs/engine.py): the step starts when the
        # shim hands over to its command (launched_at, the mtime of the file the shim creates then).
        released = rb["standby"] and rb["launched_at"] is not None and ts(rb["launched_at"]) > eb["start"]
        start = ts(rb["launched_at"]) if released else eb["start"]
        standby += bool(released)
        gaps.append(start - ea["die"])
        if not released:
            to_create.append(eb.get("create", float("nan")) - ea["die"])
        parts["exit → step recorded (wait returns, logs joined, outputs stored, commit)"].append(ts(ra["finished_at"]) - ea["die"])
        parts["step recorded → next queued (advance_run in the worker thread)"].append(ts(rb["queued_at"]) - ts(ra["finished_at"]))
        parts["next queued → claimed (execute_step via broker)"].append(ts(rb["started_at"]) - ts(rb["queued_at"]))
        if released:
            parts["claimed → command started (standby released: inputs linked, shim woken)"].append(start - ts(rb["started_at"]))
        else:
            parts["claimed → container created (spec, inspect, create)"].append(eb.get("create", float("nan")) - ts(rb["started_at"]))
            parts["created → started (docker start)"].append(eb["start"] - eb.get("create", float("nan")))
    first, last = node_ids[0], node_ids[-1]
    edges = {
        "API request → run row": ts(r["created_at"]) - run["t0"],
        "run row → first step queued (advance_run)": ts(rows[first]["queued_at"]) - ts(r["created_at"]),
        "first queued → first container started": ev.get(first, {}).get("start", float("nan")) - ts(rows[first]["queued_at"]),
        "last exit → run finished": ts(r["finished_at"]) - ev.get(last, {}).get("die", float("nan")),
    }
    # Lives of containers started normally (a standby's includes its wait for the release).
    lives = [e["die"] - e["start"] for n, e in ev.items() if "die" in e and "start" in e and not rows.get(n, {}).get("standby")]
    return {"gaps": gaps, "to_create": to_create, "parts": dict(parts), "edges": edges, "container_lives": lives,
            "standby_starts": standby}


def baseline_gaps(ctx: Context, tag: str, n: int) -> dict[str, list[float]]:
    ev = _by_node(ctx.events.snapshot(), f"bench-base-{tag}-")
    names = [f"{i:02d}" for i in range(n)]
    gaps = [ev[b]["start"] - ev[a]["die"] for a, b in zip(names, names[1:], strict=False)
            if "die" in ev.get(a, {}) and "start" in ev.get(b, {})]
    lives = [e["die"] - e["start"] for e in ev.values() if "die" in e and "start" in e]
    return {"gaps": gaps, "container_lives": lives}


def docker_exit_notice(ctx: Context, n: int = 10) -> dict[str, list[float]]:
    """Docker alone, one container at a time: how long after a container's `die` event a blocking
    `wait` on it returns, and when a subscriber to the event stream (the harness's) hears of it."""
    import docker

    client = docker.from_env(timeout=120)
    tag = uuid.uuid4().hex[:8]
    root = _output_dirs(ctx, f"exit-{tag}", n)
    waits, heard = [], []
    for i in range(n):
        name = f"bench-exit-{tag}-{i:02d}"
        container = client.containers.run(IMAGE, ["python3", "-c", SCRIPT, "/outputs/out"], name=name, detach=True,
                                          network_mode="none", volumes={str(root / str(i)): {"bind": "/outputs", "mode": "rw"}})
        client.api.wait(name)
        returned = time.time()
        # Names are fixed-width per run (`-00` … `-09`), so the prefix match finds this container alone.
        ctx.events.wait_for(lambda _ev, name=name: bool(ctx.events.matching(name, ("die",))), timeout=5)
        die = next(iter(ctx.events.matching(name, ("die",))), None)
        if die is not None:
            waits.append(returned - die.t)
            heard.append(die.received - die.t)
        container.remove(force=True)
    shutil.rmtree(root, ignore_errors=True)
    return {"wait_returns": waits, "event_heard": heard}


def _ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def _spread(s: dict[str, Any], unit: str = "", scale: float = 1.0, digits: int = 2) -> str:
    if not s.get("n"):
        return ""
    return f"min {s['min'] * scale:.{digits}f}{unit}, max {s['max'] * scale:.{digits}f}{unit}, n={s['n']}"


# --------------------------------------------------------------------------- P1 + P3: linear chain


def p1_chain(ctx: Context, *, steps: int = 10, hardened_baseline: bool = True) -> tuple[list[Figure], dict[str, Any]]:
    pipeline = make_pipeline(f"bench chain {steps}", chain_nodes(ctx.component_version_id, steps))
    node_ids = [n["id"] for n in pipeline.latest_version.graph["nodes"]]
    engine, bare, hard, timelines, base_gaps = [], [], [], [], {"gaps": [], "container_lives": []}
    for i in range(ctx.warmup + ctx.reps):
        counted = i >= ctx.warmup
        # Alternate the order so slow drift (page cache, PostgreSQL autovacuum) hits both sides alike.
        order = ["engine", "bare", "hard"] if i % 2 == 0 else ["hard", "bare", "engine"]
        for kind in order:
            if kind == "engine":
                run = timed_run(ctx, pipeline.pk, steps)
                if counted:
                    engine.append(run["wall"])
                    timelines.append(chain_timeline(ctx, run, node_ids))
            elif kind == "bare":
                b = bare_sequential(ctx, steps)
                if counted:
                    bare.append(b["wall"])
                    time.sleep(0.3)  # the last events arrive
                    g = baseline_gaps(ctx, b["tag"], steps)
                    base_gaps["gaps"] += g["gaps"]
                    base_gaps["container_lives"] += g["container_lives"]
            elif hardened_baseline:
                h = bare_sequential(ctx, steps, hardened=True)
                if counted:
                    hard.append(h["wall"])
        ctx.log(f"  P1 rep {i + 1}/{ctx.warmup + ctx.reps}{'' if counted else ' (warm-up)'}: "
                f"engine {engine[-1] if counted else run['wall']:.2f}s, bare {b['wall']:.2f}s")
    ratios = [e / b for e, b in zip(engine, bare, strict=False)]
    s_engine, s_bare, s_ratio = summary(engine), summary(bare), summary(ratios)
    gaps = [g for t in timelines for g in t["gaps"]]
    parts: dict[str, list[float]] = defaultdict(list)
    edges: dict[str, list[float]] = defaultdict(list)
    for t in timelines:
        for k, v in t["parts"].items():
            parts[k] += v
        for k, v in t["edges"].items():
            edges[k].append(v)
    lives = [x for t in timelines for x in t["container_lives"]]
    # The headline is the median of paired ratios: each pair ran back to back, so load from other processes on
    # the machine hits both sides of a pair alike (the ratio of the medians is in the details).
    figures = [
        Figure("P1", f"{steps}-step chain vs {steps} sequential docker run (median of paired ratios)", "x",
               round(s_ratio["median"], 3), 1.15,
               spread=f"pairs {s_ratio['min']:.2f}-{s_ratio['max']:.2f}; engine {s_engine['median']:.2f}s "
                      f"vs bare {s_bare['median']:.2f}s",
               details={"engine_seconds": s_engine, "bare_seconds": s_bare, "pair_ratios": s_ratio}),
        Figure("P1", "engine overhead per step (median)", "ms",
               round((s_engine["median"] - s_bare["median"]) / steps * 1000, 1), None,
               spread=f"engine {s_engine['median'] / steps * 1000:.0f} ms/step, bare {s_bare['median'] / steps * 1000:.0f} ms/step"),
    ]
    if hard:
        s_hard = summary(hard)
        figures.append(Figure("P1", "same chain vs sequential docker run with the engine's flags", "x",
                              round(percentile([e / h for e, h in zip(engine, hard, strict=False)], 50), 3), None,
                              spread=f"hardened bare {s_hard['median']:.2f}s ({_spread(s_hard, 's')})",
                              details={"hardened_bare_seconds": s_hard}))
    g_ms = _ms(gaps)
    s_gap = summary(g_ms, 1)
    figures += [
        Figure("P3", "exit → next container start, p50", "ms", round(percentile(g_ms, 50), 1), 30.0,
               spread=f"p25 {percentile(g_ms, 25):.0f}, p75 {percentile(g_ms, 75):.0f}, n={len(g_ms)}",
               details={"gaps_ms": s_gap}),
        Figure("P3", "exit → next container start, p95", "ms", round(percentile(g_ms, 95), 1), None,
               spread=f"max {max(g_ms):.0f} ms" if g_ms else ""),
    ]
    served = sum(t["standby_starts"] for t in timelines)
    figures.append(Figure("P3", "next step started from a standby container", "%",
                          round(100 * served / len(g_ms), 1) if g_ms else 0.0, None,
                          spread=f"{served} of {len(g_ms)} gaps; the others waited for docker create + start"))
    c_ms = _ms([g for t in timelines for g in t["to_create"]])
    if c_ms:
        figures.append(Figure("P3", "exit → next container created (orchestration only), p50", "ms",
                              round(percentile(c_ms, 50), 1), None,
                              spread=f"p95 {percentile(c_ms, 95):.0f} ms; the rest of the gap is docker start"))
    bg = _ms(base_gaps["gaps"])
    if bg:
        figures.append(Figure("P3", "same gap for sequential bare docker run (reference), p50", "ms",
                              round(percentile(bg, 50), 1), None, spread=f"p95 {percentile(bg, 95):.0f} ms, n={len(bg)}"))
    notice = docker_exit_notice(ctx)
    w_ms, h_ms = _ms(notice["wait_returns"]), _ms(notice["event_heard"])
    if w_ms and h_ms:
        figures.append(Figure("P3", "Docker alone: die → a blocking wait returns, p50 (reference)", "ms",
                              round(percentile(w_ms, 50), 1), None,
                              spread=f"die → event heard p50 {percentile(h_ms, 50):.1f} ms, n={len(w_ms)}; "
                                     "the engine listens to the events"))
    details = {
        "docker_exit_notice_ms": {"wait_returns": summary(w_ms, 1), "event_heard": summary(h_ms, 1)},
        "steps": steps,
        "engine_seconds": s_engine,
        "bare_seconds": s_bare,
        "hardened_bare_seconds": summary(hard) if hard else None,
        "pair_ratios": s_ratio,
        "gap_ms": s_gap,
        "gap_breakdown_ms": {k: summary(_ms(v), 1) for k, v in parts.items()},
        "run_edges_ms": {k: summary(_ms(v), 1) for k, v in edges.items()},
        "container_life_ms": {"engine": summary(_ms(lives), 1), "bare": summary(_ms(base_gaps["container_lives"]), 1)},
        "bare_gap_ms": summary(bg, 1),
    }
    return figures, details


# --------------------------------------------------------------------------- P2: fan-out


def p2_fanout(ctx: Context, *, width: int = 10) -> tuple[list[Figure], dict[str, Any]]:
    pipeline = make_pipeline(f"bench fan-out {width}", fanout_nodes(ctx.component_version_id, width))
    engine, bare = [], []
    for i in range(ctx.warmup + ctx.reps):
        counted = i >= ctx.warmup
        for kind in (["engine", "bare"] if i % 2 == 0 else ["bare", "engine"]):
            if kind == "engine":
                run = timed_run(ctx, pipeline.pk, width)
                if counted:
                    engine.append(run["wall"])
            else:
                b = bare_parallel(ctx, width)
                if counted:
                    bare.append(b["wall"])
        ctx.log(f"  P2 rep {i + 1}/{ctx.warmup + ctx.reps}{'' if counted else ' (warm-up)'}: "
                f"engine {run['wall']:.2f}s, xargs {b['wall']:.2f}s")
    ratios = [e / b for e, b in zip(engine, bare, strict=False)]
    s_engine, s_bare, s_ratio = summary(engine), summary(bare), summary(ratios)
    figure = Figure("P2", f"{width}-way fan-out vs xargs -P{width} docker run (median of paired ratios)", "x",
                    round(s_ratio["median"], 3), 1.3,
                    spread=f"pairs {s_ratio['min']:.2f}-{s_ratio['max']:.2f}; engine {s_engine['median']:.2f}s "
                           f"vs xargs {s_bare['median']:.2f}s",
                    details={"engine_seconds": s_engine, "bare_seconds": s_bare, "pair_ratios": s_ratio})
    return [figure], {"width": width, "engine_seconds": s_engine, "bare_seconds": s_bare, "pair_ratios": s_ratio}


# --------------------------------------------------------------------------- P5: API at scale


def seed_history(cv: Any, *, pipelines: int, runs: int, steps_per_run: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Bulk-inserts pipelines, finished runs, their steps and one output artifact per completed step."""
    from django.db import connection, transaction

    from pipelines.models import Pipeline, PipelineVersion
    from runs.models import Artifact, Run, StepRun

    t0 = time.monotonic()
    rnd = random.Random(6)
    nodes = chain_nodes(cv.pk, steps_per_run, prefix="hist-s")
    graph = {"schema_version": 1, "nodes": nodes}
    tag = uuid.uuid4().hex[:6]
    with transaction.atomic():
        made = Pipeline.objects.bulk_create(
            [Pipeline(name=f"history {tag} {i:04d}", description="seeded by bench/ (P5)") for i in range(pipelines)]
        )
        versions = PipelineVersion.objects.bulk_create(
            [PipelineVersion(pipeline=p, number=1, graph=graph, parameters=[], digest=f"seed-{p.pk}") for p in made]
        )
    empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    now = time.time()
    run_ids: list[int] = []
    step_count = 0
    per_batch = 1000
    for start in range(0, runs, per_batch):
        count = min(per_batch, runs - start)
        with transaction.atomic():
            batch = []
            for _ in range(count):
                k = rnd.randrange(len(made))
                roll = rnd.random()
                status = "completed" if roll < 0.9 else ("failed" if roll < 0.97 else "aborted")
                batch.append(Run(pipeline=made[k], pipeline_version=versions[k], status=status,
                                 trigger={"user": "bench"}, parameters={},
                                 error="" if status == "completed" else f"step 'hist-s05' {status}"))
            created = Run.objects.bulk_create(batch)
            run_ids += [r.pk for r in created]
            steps = []
            for r in created:
                stop = steps_per_run if r.status == "completed" else rnd.randrange(1, steps_per_run)
                for j, node in enumerate(nodes):
                    if j < stop:
                        st = "completed"
                    elif j == stop:
                        st = "failed" if r.status == "failed" else "aborted"
                    else:
                        st = "skipped" if r.status == "failed" else "aborted"
                    steps.append(StepRun(run=r, node_id=node["id"], component_version=cv, status=st,
                                         attempt=1 if j <= stop else 0, exit_code=0 if st == "completed" else None,
                                         container_name=f"ps-{r.pk}-{node['id']}-1" if j <= stop else "",
                                         inputs={"after": {"artifact": 0}} if j else {}, log_size=120))
            made_steps = StepRun.objects.bulk_create(steps, batch_size=5000)
            step_count += len(made_steps)
            Artifact.objects.bulk_create(
                [Artifact(run_id=s.run_id, step=s, name="out", type="File", media_type="text/plain", size=0,
                          sha256=empty_sha, uri=f"store://sha256/{empty_sha}",
                          preview={"kind": "text", "text": "", "truncated": False})
                 for s in made_steps if s.status == "completed"],
                batch_size=5000,
            )
        log(f"  seeded {start + count}/{runs} runs")
    # Spread runs over the last 30 days with plausible timings, as a long-lived install would have them.
    with connection.cursor() as cur:
        cur.execute(
            """UPDATE runs_run SET created_at = to_timestamp(%s) - (random() * interval '30 days')
               WHERE id = ANY(%s)""", [now, run_ids])
        cur.execute(
            """UPDATE runs_run SET started_at = created_at + interval '200 milliseconds',
                                  finished_at = created_at + (2 + random() * 60) * interval '1 second'
               WHERE id = ANY(%s)""", [run_ids])
        cur.execute(
            """UPDATE runs_steprun s SET started_at = r.started_at, finished_at = r.finished_at,
                                         queued_at = r.started_at
               FROM runs_run r WHERE s.run_id = r.id AND r.id = ANY(%s) AND s.attempt > 0""", [run_ids])
        for table in ("runs_run", "runs_steprun", "runs_artifact", "pipelines_pipeline", "pipelines_pipelineversion"):
            cur.execute(f"ANALYZE {table}")
    return {"pipelines": [p.pk for p in made], "runs": run_ids, "seconds": round(time.monotonic() - t0, 1),
            "step_runs": step_count}


def _in_process(path: str, token: str, repeat: int = 10) -> dict[str, Any]:
    """The same request through Django's test Client: SQL statements, SQL vs Python time, repeated statements."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    client.get(path)  # warm (content types, auth caches)
    totals, sql_times, counts = [], [], []
    templates: dict[str, int] = defaultdict(int)
    status = 0
    spent = [0.0]

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - t

    for i in range(repeat):
        spent[0] = 0.0
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            t = time.perf_counter()
            response = client.get(path)
            totals.append((time.perf_counter() - t) * 1000)
        status = response.status_code
        counts.append(len(captured.captured_queries))
        sql_times.append(spent[0] * 1000)
        if i == 0:
            for q in captured.captured_queries:
                templates[re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "'?'", q["sql"]))[:160]] += 1
    return {
        "status": status,
        "queries": counts[0],
        "in_process_ms": round(percentile(totals, 50), 2),
        "sql_ms": round(percentile(sql_times, 50), 2),
        "repeated_statements": {k: v for k, v in templates.items() if v > 1},
    }


def p5_api(ctx: Context, *, seeded: dict[str, Any], token: str, requests_per: int = 200,
           page_sizes: tuple[int, ...] = (10, 50, 200)) -> tuple[list[Figure], dict[str, Any]]:
    rnd = random.Random(5)
    pipelines, runs = seeded["pipelines"], seeded["runs"]
    cases: list[tuple[str, Callable[[], str], int | None]] = []
    for size in page_sizes:
        cases.append((f"GET /api/pipelines/?page_size={size}", lambda size=size: f"/api/pipelines/?page_size={size}", size))
    cases.append(("GET /api/pipelines/{id}/", lambda: f"/api/pipelines/{rnd.choice(pipelines)}/", None))
    for size in page_sizes:
        cases.append((f"GET /api/runs/?page_size={size}", lambda size=size: f"/api/runs/?page_size={size}", size))
    cases.append(("GET /api/runs/{id}/", lambda: f"/api/runs/{rnd.choice(runs)}/", None))
    figures: list[Figure] = []
    details: dict[str, Any] = {"seeded": {k: (len(v) if isinstance(v, list) else v) for k, v in seeded.items()},
                               "requests_per_case": requests_per, "cases": {}}
    queries_by_list: dict[str, dict[int, int]] = defaultdict(dict)
    for label, make_path, size in cases:
        local = _in_process(make_path(), token)
        queries = local["queries"]
        if local["status"] != 200:
            raise RuntimeError(f"{label}: HTTP {local['status']}")
        for _ in range(10):
            ctx.api.get(make_path())
        lat = []
        for _ in range(requests_per):
            path = make_path()
            t = time.perf_counter()
            response = ctx.api.get(path)
            _ = response.content
            lat.append((time.perf_counter() - t) * 1000)
        s = summary(lat, 2)
        p95 = percentile(lat, 95)
        details["cases"][label] = {"latency_ms": {**s, "p95": round(p95, 2), "values": None}, "queries": queries,
                                   "bytes": len(response.content), "in_process": local}
        if size is not None:
            queries_by_list[label.split("?")[0]][size] = queries
        figures.append(Figure("P5", f"{label} p95", "ms", round(p95, 1), 50.0,
                              spread=f"p50 {s['median']:.1f}; {queries} queries, SQL {local['sql_ms']:.1f} of "
                                     f"{local['in_process_ms']:.1f} ms; {len(response.content) // 1024} KiB",
                              details={"queries": queries}))
        ctx.log(f"  P5 {label}: p50 {s['median']:.1f} ms, p95 {p95:.1f} ms, {queries} queries "
                f"(in-process {local['in_process_ms']:.1f} ms, SQL {local['sql_ms']:.1f} ms)")
    for endpoint, by_size in queries_by_list.items():
        sizes = sorted(by_size)
        growth = by_size[sizes[-1]] - by_size[sizes[0]]
        figures.append(Figure("P5", f"{endpoint} queries growth, page {sizes[0]} → {sizes[-1]}", "queries", growth, 0,
                              spread=", ".join(f"{by_size[s]} @ {s}" for s in sizes)))
    return figures, details


# --------------------------------------------------------------------------- P7: a burst of runs


def p7_burst(ctx: Context, *, runs: int, steps: int = 3, timeout: float = 3600) -> tuple[list[Figure], dict[str, Any]]:
    from django.db import transaction

    from runs.models import RUN_TERMINAL, Run, StepRun
    from runs.services import run_create

    pipeline = make_pipeline(f"bench burst {steps}", chain_nodes(ctx.component_version_id, steps, prefix="bench-b"))
    # Warm-up: a burst as wide as the worker pools, so "before" is a worker whose threads, connections and
    # caches all exist already; growth after that is what a long burst leaves behind.
    warm = sum(int(w.args[w.args.index("--concurrency") + 1]) for w in ctx.workers)
    with transaction.atomic():
        warm_ids = [run_create(pipeline=pipeline, parameters={}, trigger={"bench": "P7 warm-up"}).pk for _ in range(warm)]
    for run_id in warm_ids:
        wait_run(run_id, timeout=600, poll=0.2)
    time.sleep(3)
    rss_before = {w.pid: w.rss_bytes() for w in ctx.workers}
    log_offsets = {w.pid: w.log.stat().st_size for w in ctx.workers}
    threads_before = {w.pid: w.threads() for w in ctx.workers}
    t0 = time.time()
    with transaction.atomic():  # every run's advance_run is sent at commit: all queued at once
        created = [run_create(pipeline=pipeline, parameters={}, trigger={"bench": "P7"}).pk for _ in range(runs)]
    t_queued = time.time()
    ctx.log(f"  P7: {runs} runs queued in {t_queued - t0:.1f}s")
    ids = set(created)
    peak = dict(rss_before)
    deadline = time.monotonic() + timeout
    last_log = 0.0
    while time.monotonic() < deadline:
        done = Run.objects.filter(pk__in=created, status__in=list(RUN_TERMINAL)).count()
        for w in ctx.workers:
            peak[w.pid] = max(peak[w.pid], w.rss_bytes())
        if done == runs:
            break
        if time.monotonic() - last_log > 30:
            last_log = time.monotonic()
            steps_done = StepRun.objects.filter(run_id__in=created, status="completed").count()
            ctx.log(f"  P7: {done}/{runs} runs, {steps_done}/{runs * steps} steps finished after {time.time() - t0:.0f}s")
        time.sleep(0.5)
    t_done = max((r["finished_at"].timestamp() for r in Run.objects.filter(pk__in=created, finished_at__isnull=False)
                  .values("finished_at")), default=time.time())
    # Let the last removals land, then read memory and count containers.
    ctx.events.wait_for(lambda evs: sum(1 for e in evs if e.action == "destroy" and _run_of(e.name) in ids) >= runs * steps,
                        timeout=60)
    time.sleep(3)
    rss_after = {w.pid: w.rss_bytes() for w in ctx.workers}
    tasks = _task_counts(ctx.workers, log_offsets)
    statuses: dict[str, int] = defaultdict(int)
    for row in Run.objects.filter(pk__in=created).values("status"):
        statuses[row["status"]] += 1
    step_statuses: dict[str, int] = defaultdict(int)
    for row in StepRun.objects.filter(run_id__in=created).values("status"):
        step_statuses[row["status"]] += 1
    attempts_over_1 = StepRun.objects.filter(run_id__in=created, attempt__gt=1).count()
    recoveries = StepRun.objects.filter(run_id__in=created, recoveries__gt=0).count()
    creates: dict[str, int] = defaultdict(int)
    starts: dict[str, int] = defaultdict(int)
    firsts: dict[str, dict[str, float]] = defaultdict(dict)
    for e in ctx.events.snapshot():
        if _run_of(e.name) in ids:
            firsts[e.name].setdefault(e.action, e.t)
            if e.action == "create":
                creates[e.name] += 1
            elif e.action == "start":
                starts[e.name] += 1
    # Where a step's time goes under load: waiting for a worker thread, docker start, the container, the rest.
    rows = list(StepRun.objects.filter(run_id__in=created, started_at__isnull=False, finished_at__isnull=False)
                .values("queued_at", "started_at", "finished_at"))
    waits = [(r["started_at"] - r["queued_at"]).total_seconds() * 1000 for r in rows if r["queued_at"]]
    busy = [(r["finished_at"] - r["started_at"]).total_seconds() for r in rows]
    phases = {
        "queued → claimed by a worker thread": waits,
        "claimed → step recorded (thread busy)": [b * 1000 for b in busy],
        "docker create → start": [f["start"] - f["create"] for f in firsts.values() if "start" in f and "create" in f],
        "container start → die": [f["die"] - f["start"] for f in firsts.values() if "die" in f and "start" in f],
    }
    phases["docker create → start"] = [x * 1000 for x in phases["docker create → start"]]
    # Steps completed per minute: a falling rate under a steady backlog is congestion, not a slow machine.
    per_minute: dict[int, int] = defaultdict(int)
    for r in rows:
        per_minute[int((r["finished_at"].timestamp() - t0) // 60)] += 1
    timeline = [per_minute.get(m, 0) for m in range(max(per_minute) + 1)] if per_minute else []
    phases["container start → die"] = [x * 1000 for x in phases["container start → die"]]
    per_step: dict[tuple[int, str], int] = defaultdict(int)
    for name in creates:
        m = NAME_RE.match(name)
        if m:
            per_step[(int(m.group(1)), m.group(2))] += 1
    expected = runs * steps
    completed = statuses.get("completed", 0)
    duplicated = sum(c - 1 for c in creates.values() if c > 1) + sum(c - 1 for c in per_step.values() if c > 1) \
        + sum(c - 1 for c in starts.values() if c > 1)
    lost = expected - len(per_step)
    before, after = sum(rss_before.values()), sum(rss_after.values())
    growth = (after - before) / before * 100 if before else float("nan")
    elapsed = t_done - t0
    figures = [
        Figure("P7", f"{runs} runs of a {steps}-step pipeline queued at once: completed", "%",
               round(completed / runs * 100, 2), 100.0, comparison=">=",
               spread=f"{completed}/{runs} in {elapsed:.0f}s ({expected / elapsed:.1f} steps/s)",
               details={"run_statuses": dict(statuses)}),
        Figure("P7", "containers lost (steps with no container)", "", lost, 0,
               spread=f"{len(per_step)} of {expected} steps had a container"),
        Figure("P7", "containers duplicated (extra create/start)", "", duplicated, 0,
               spread=f"{sum(creates.values())} creates, {sum(starts.values())} starts"),
        Figure("P7", "steps in flight on average (worker threads busy)", "",
               round(sum(busy) / elapsed, 2) if elapsed > 0 else None, None,
               spread=f"docker create→start p50 {percentile(phases['docker create → start'], 50):.0f} ms, "
                      f"thread busy per step p50 {percentile(phases['claimed → step recorded (thread busy)'], 50):.0f} ms"),
        Figure("P7", "broker tasks per step (advance_run + execute_step + reconcile)", "",
               round(sum(tasks["succeeded"].values()) / expected, 2), None,
               spread=", ".join(f"{k.removeprefix('runs.')} {v}" for k, v in sorted(tasks["succeeded"].items()))
                      + f"; reconciler re-sent {tasks['reconciler']['advanced']} advance_run, "
                        f"{tasks['reconciler']['requeued']} execute_step"),
        Figure("P7", "worker resident memory growth", "%", round(growth, 1), 10.0,
               spread=f"{before / 2**20:.0f} → {after / 2**20:.0f} MiB (peak {sum(peak.values()) / 2**20:.0f})"),
    ]
    details = {
        "runs": runs, "steps_per_run": steps, "queue_seconds": round(t_queued - t0, 2),
        "elapsed_seconds": round(elapsed, 1), "steps_per_second": round(expected / elapsed, 2),
        "run_statuses": dict(statuses), "step_statuses": dict(step_statuses),
        "attempts_over_1": attempts_over_1, "recoveries": recoveries,
        "containers_created": sum(creates.values()), "containers_started": sum(starts.values()),
        "distinct_containers": len(creates), "steps_with_container": len(per_step),
        "rss_before_bytes": rss_before, "rss_after_bytes": rss_after, "rss_peak_bytes": peak,
        "threads_before": threads_before, "threads_after": {w.pid: w.threads() for w in ctx.workers},
        "phases_ms": {k: {"p50": round(percentile(v, 50), 1), "p95": round(percentile(v, 95), 1), "n": len(v)}
                      for k, v in phases.items()},
        "mean_steps_in_flight": round(sum(busy) / (t_done - t_queued), 2) if t_done > t_queued else None,
        "steps_completed_per_minute": timeline,
        "finished_within_timeout": done == runs,
        "worker_tasks": tasks,
    }
    return figures, details


TASK_LINE = re.compile(r"Task (runs\.\w+)\[[^\]]+\] succeeded in [\d.]+s: (.*)$")


def _task_counts(workers: list[CeleryWorker], offsets: dict[int, int]) -> dict[str, Any]:
    """Tasks the workers finished since the offsets, from their logs (Celery logs each at INFO),
    and what the reconciler re-enqueued in that time."""
    succeeded: dict[str, int] = defaultdict(int)
    reconciler = {"advanced": 0, "requeued": 0, "taken_over": 0}
    for w in workers:
        with open(w.log, "rb") as handle:
            handle.seek(offsets.get(w.pid, 0))
            for line in handle.read().decode("utf-8", "replace").splitlines():
                m = TASK_LINE.search(line)
                if not m:
                    continue
                succeeded[m.group(1)] += 1
                if m.group(1) == "runs.reconcile":
                    for key in reconciler:
                        found = re.search(rf"'{key}': (\d+)", m.group(2))
                        reconciler[key] += int(found.group(1)) if found else 0
    return {"succeeded": dict(succeeded), "reconciler": reconciler}


def _run_of(name: str) -> int | None:
    m = NAME_RE.match(name)
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------- not yet available


ABSENT_IMAGE = "pipeline-studio/bench-absent:0"


def p4_triggers(ctx: Context, *, schedules: int = 1000, versions: int = 100) -> tuple[list[Figure], dict[str, Any]]:
    """Trigger latency: (a) `schedules` cron schedules due in the same minute, lateness of run creation
    (run.created_at - fire time) through beat's tick on the worker; (b) dataset versions registered one by
    one, commit → triggered run created (run.created_at - version.created_at).

    The triggered pipeline's image does not exist, so each run fails at once without a container: this
    scenario measures run creation, and must not turn into P7.
    """
    from django.apps import apps

    if not apps.is_installed("triggers"):
        return p4_unavailable("the triggers app (Schedule, DatasetTrigger) is not built yet"), {}
    from django.db.models import Max, Min

    from catalog.services import component_import
    from datasets.services import dataset_create, dataset_version_register
    from runs.models import Run
    from triggers.models import DatasetTriggerFiring, Schedule, ScheduleFiring
    from triggers.services import dataset_trigger_create, schedule_create

    cv, _ = component_import(text=COMPONENT_YAML.replace(IMAGE, ABSENT_IMAGE).replace("name: Bench no-op", "name: Bench no-op (absent image)"))
    pipeline = make_pipeline("bench trigger target", chain_nodes(cv.pk, 1, prefix="bench-t"))
    tag = uuid.uuid4().hex[:6]

    # (a) schedules, all due at one minute boundary.
    into = time.time() % 60
    if into > 30:
        time.sleep(60 - into + 1)
    created = [schedule_create(pipeline=pipeline, cron="* * * * *", name=f"bench {tag} {i}").pk for i in range(schedules)]
    bounds = Schedule.objects.filter(pk__in=created).aggregate(first=Min("next_fire_at"), last=Max("next_fire_at"))
    if bounds["first"] != bounds["last"]:  # creation crossed a minute: make them all due at the later one
        Schedule.objects.filter(pk__in=created).update(next_fire_at=bounds["last"])
    fire_time = bounds["last"]
    ctx.log(f"  P4: {schedules} schedules due at {fire_time:%H:%M:%S}")
    deadline = fire_time.timestamp() + 55
    while time.time() < deadline:
        fired = ScheduleFiring.objects.filter(schedule_id__in=created, fire_time=fire_time, run__isnull=False).count()
        if fired >= schedules:
            break
        time.sleep(0.2)
    Schedule.objects.filter(pk__in=created).update(enabled=False)  # one minute is the scenario; no second fire
    firings = list(ScheduleFiring.objects.filter(schedule_id__in=created, fire_time=fire_time).values("status", "run_id"))
    run_rows = Run.objects.filter(pk__in=[f["run_id"] for f in firings if f["run_id"]]).values("created_at")
    late = [(r["created_at"] - fire_time).total_seconds() for r in run_rows]
    statuses: dict[str, int] = defaultdict(int)
    for f in firings:
        statuses[f["status"]] += 1

    # The fired runs fail at once (no image); let the worker drain them so (b) is measured on its own.
    _wait_terminal(Run.objects.filter(pipeline=pipeline).values_list("pk", flat=True), timeout=600)

    # (b) dataset versions committed one at a time.
    dataset = dataset_create(name=f"bench-{tag}")
    dataset_trigger_create(pipeline=pipeline, dataset=dataset, node="bench-t01", input="after")
    commit_to_run: list[float] = []
    for i in range(versions):
        version, _ = dataset_version_register(dataset=dataset, uri=f"s3://bench/{tag}/{i}.csv")
        until = time.monotonic() + 30
        while time.monotonic() < until:
            row = DatasetTriggerFiring.objects.filter(dataset_version=version, run__isnull=False).values("run__created_at").first()
            if row:
                commit_to_run.append((row["run__created_at"] - version.created_at).total_seconds() * 1000)
                break
            time.sleep(0.005)
        time.sleep(0.05)

    _wait_terminal(Run.objects.filter(pipeline=pipeline).values_list("pk", flat=True), timeout=600)

    p99 = percentile(late, 99) if late else float("nan")
    figures = [
        Figure("P4", f"{schedules} schedules due in one minute: run creation lateness p99", "s", round(p99, 3), 1.0,
               spread=f"p50 {percentile(late, 50):.2f} s, max {max(late):.2f} s; {len(late)}/{schedules} fired"
               if late else f"0/{schedules} fired",
               details={"firings": dict(statuses)}),
        Figure("P4", "dataset version commit → triggered run created, p99", "ms",
               round(percentile(commit_to_run, 99), 1) if commit_to_run else float("nan"), 200.0,
               spread=f"p50 {percentile(commit_to_run, 50):.1f} ms, max {max(commit_to_run):.0f} ms, "
                      f"n={len(commit_to_run)}/{versions}"
               if commit_to_run else f"0/{versions} triggered"),
    ]
    details = {"schedules": schedules, "fire_time": fire_time.isoformat(), "firings": dict(statuses),
               "lateness_s": summary(late, 3), "versions": versions, "commit_to_run_ms": summary(commit_to_run, 1)}
    for d in details.values():
        if isinstance(d, dict) and "values" in d:
            d["values"] = None
    return figures, details


def _wait_terminal(run_ids: Any, timeout: float) -> None:
    from runs.models import RUN_TERMINAL, Run

    ids = list(run_ids)
    until = time.monotonic() + timeout
    while time.monotonic() < until and Run.objects.filter(pk__in=ids).exclude(status__in=list(RUN_TERMINAL)).exists():
        time.sleep(1)


def p4_unavailable(reason: str) -> list[Figure]:
    return [
        not_available("P4", "1,000 schedules due in one minute: run creation lateness p99", reason, "<= 1 s"),
        not_available("P4", "dataset version commit → triggered run created, p99", reason, "<= 200 ms"),
    ]


def p6_editor(ctx: Context, *, columns: int = 20, rows: int = 25) -> tuple[list[Figure], dict[str, Any]]:
    """P6: a generated columns × rows pipeline opens in Chromium, then a step is dragged and the canvas panned.

    The browser side (Playwright driving Debian's Chromium, measured with the Performance API) is
    bench/editor/p6.mjs; bench/editor.py writes the pipeline, runs it and makes the Figures.
    """
    from bench import editor

    return editor.p6_editor(base_url=ctx.api.base_url, reps=ctx.reps, warmup=ctx.warmup, scratch=ctx.scratch,
                            log=ctx.log, columns=columns, rows=rows)
