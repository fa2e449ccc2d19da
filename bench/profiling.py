"""Where the orchestration time goes: py-spy samples of the worker, and the tracing worker's exact counts.

py-spy (sampling, --idle so blocked time counts) answers "which code is the
task thread in, wall-clock"; bench.tracing answers "how many SQL statements,
Docker calls and broker publishes per task, and how long each took".
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

PY_SPY = Path(sys.executable).parent / "py-spy"


def py_spy_available() -> str | None:
    exe = str(PY_SPY) if PY_SPY.exists() else shutil.which("py-spy")
    return exe


class PySpy:
    def __init__(self, pid: int, out: Path, rate: int = 200) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = out.with_suffix(".log")

    def start(self) -> PySpy:
        exe = py_spy_available()
        if not exe:
            raise RuntimeError("py-spy is not installed (bench/requirements.txt)")
        self.out.unlink(missing_ok=True)
        handle = open(self.log, "wb")
        # --idle: count blocked threads too (waiting on Docker or PostgreSQL is the point);
        # --nonblocking: never pause the worker to sample it, so the profile does not slow what it measures.
        self.proc = subprocess.Popen([exe, "record", "--pid", str(self.pid), "--rate", str(self.rate), "--idle",
                                      "--threads", "--nonblocking", "--format", "raw", "--output", str(self.out)],
                                     stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        time.sleep(1.0)
        if self.proc.poll() is not None:
            raise RuntimeError(f"py-spy exited: {self.log.read_text(errors='replace')[-2000:]}")
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# --------------------------------------------------------------------------- py-spy raw (collapsed) stacks

TASK_ROOTS = {"step_execute": "execute_step task", "run_advance": "advance_run task", "follow_logs": "log thread",
              "runs_reconcile": "reconcile task"}
DOCKER_OPS = {"create": "docker create", "start": "docker start", "wait": "docker wait (container running)",
              "reload": "docker inspect", "get": "docker inspect", "remove": "docker remove", "stats": "docker stats",
              "logs": "docker logs stream", "stop": "docker stop"}


def _frame(frame: str) -> tuple[str, str]:
    """'Class.func (pkg/file.py:12)' → ('func', 'pkg/file.py')."""
    if " (" in frame and frame.endswith(")"):
        func, rest = frame.split(" (", 1)
        return func.rsplit(".", 1)[-1], rest[:-1].rsplit(":", 1)[0]
    return frame, ""


def _in(path: str, package: str) -> bool:
    """py-spy prints site-packages paths relative ('docker/api/client.py'), others absolute."""
    return path.startswith(package) or f"/{package}" in path


def classify(frames: list[str]) -> tuple[str, str] | None:
    """(task kind, category) of one stack (root first), or None when the thread is not running our code."""
    parsed = [_frame(f) for f in frames]
    root = next((TASK_ROOTS[f] for f, _ in parsed if f in TASK_ROOTS), None)
    if root is None:
        return None
    if root == "log thread":
        return root, "log streaming (parallel to the step)"
    launcher = next((f for f, p in reversed(parsed) if _in(p, "executors/docker_engine.py")), "")
    for func, path in parsed:  # the outermost docker-py frame names the operation
        if _in(path, "docker/models/") or _in(path, "docker/api/"):
            op = DOCKER_OPS.get(func, f"docker {func}")
            return root, f"{op} [{launcher}]" if launcher else op
    for func, path in reversed(parsed):
        if _in(path, "django/db/backends") or _in(path, "psycopg2"):
            return root, "PostgreSQL (queries, commit)"
        if _in(path, "kombu/") or (_in(path, "celery/app") and func in ("send_task", "apply_async")):
            return root, "broker publish (Celery)"
    for func, path in reversed(parsed):
        if _in(path, "django/db/models") or _in(path, "django/db/transaction"):
            return root, "Django ORM (Python side)"
        if _in(path, "datasets/store.py"):
            return root, "artifact store (hash, move)"
        if _in(path, "runs/previews.py"):
            return root, "previews"
        if _in(path, "runs/engine.py") or _in(path, "executors/"):
            if func == "join":
                return root, "join log thread"
            return root, f"engine Python ({func})"
    return root, "other (Celery, logging, stdlib)"


def summarize_py_spy(path: Path, rate: int) -> dict[str, Any]:
    """Seconds of thread time per (task kind, category), from py-spy's raw output."""
    seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    total = 0
    if not path.exists():
        return {"error": f"no py-spy output at {path}"}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        # frames[0] is "process ...", frames[1] the thread when --threads; drop both.
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        total += int(count)
        kind = classify(frames)
        if kind is None:
            continue
        seconds[kind[0]][kind[1]] += int(count) / rate
    return {
        "rate_hz": rate,
        "samples": total,
        "seconds": {k: dict(sorted(v.items(), key=lambda kv: -kv[1])) for k, v in seconds.items()},
    }


# --------------------------------------------------------------------------- tracing worker output


def summarize_trace(path: Path, steps: int) -> dict[str, Any]:
    """Per task kind: count, mean wall ms, and per operation mean count and ms per task."""
    tasks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    background: dict[str, Any] = {}
    if not path.exists():
        return {"error": f"no trace at {path}"}
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        if rec["task"] == "(background threads)":
            background = rec["ops_by_thread"]
            continue
        tasks[rec["task"]].append(rec)
    out: dict[str, Any] = {"tasks": {}, "background": {}}
    for name, recs in tasks.items():
        n = len(recs)
        ops: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for r in recs:
            for key, (count, secs) in r["ops"].items():
                ops[key][0] += count
                ops[key][1] += secs
        out["tasks"][name] = {
            "count": n,
            "wall_ms_mean": round(sum(r["wall"] for r in recs) / n * 1000, 2),
            "ops_per_task": {k: {"calls": round(c / n, 2), "ms": round(s / n * 1000, 2)}
                             for k, (c, s) in sorted(ops.items(), key=lambda kv: -kv[1][1])},
        }
        sql_calls = sum(c for k, (c, _) in ops.items() if k.startswith("sql:"))
        sql_ms = sum(s for k, (_, s) in ops.items() if k.startswith("sql:")) * 1000
        docker_calls = sum(c for k, (c, _) in ops.items() if k.startswith("docker:"))
        out["tasks"][name]["sql_statements_per_task"] = round(sql_calls / n, 2)
        out["tasks"][name]["sql_ms_per_task"] = round(sql_ms / n, 2)
        out["tasks"][name]["docker_calls_per_task"] = round(docker_calls / n, 2)
    for thread, ops in background.items():
        out["background"][thread] = {k: {"calls": c, "ms_total": round(s * 1000, 1)} for k, (c, s) in ops.items()}
    out["steps_profiled"] = steps
    return out
