"""Timing hooks for a Celery worker, for the profile pass only (the measured figures use a plain worker).

Installed by bench/worker.py when BENCH_TRACE_FILE is set. Every task writes one JSON line: its name, wall time, and per operation the
count and seconds of: SQL statements (by verb and table) and commits, Docker
API calls (by endpoint), broker publishes, and the engine functions around
them. Threads outside a task (the log follower) are summed per thread kind
and written at shutdown. Nothing here changes what the engine does; it only
wraps functions with a clock.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
import types
from typing import Any

_local = threading.local()
_lock = threading.Lock()
_background: dict[str, dict[str, list[float]]] = {}
_out: Any = None

SQL_TABLE = re.compile(r'^\s*(SELECT|UPDATE|INSERT INTO|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b'
                       r'(?:.*?\bFROM\s+"(\w+)"|\s+"(\w+)")?', re.S | re.I)
DOCKER_PATH = re.compile(r"/v[\d.]+(/[^?]*)")


def _add(key: str, seconds: float) -> None:
    rec = getattr(_local, "rec", None)
    if rec is not None:
        ops = rec["ops"]
    else:
        kind = threading.current_thread().name
        kind = re.sub(r"^Thread-\d+ ", "", kind)  # "Thread-12 (follow_logs)" → "(follow_logs)"
        kind = re.sub(r"\d+", "N", kind)
        with _lock:
            ops = _background.setdefault(kind, {})
    bucket = ops.setdefault(key, [0, 0.0])
    bucket[0] += 1
    bucket[1] += seconds


# Every operation's wall-clock start and end are also kept, in order, per task ("marks"): they place a
# task's steps on the same clock as Docker's events (when did the wait begin, relative to the exit?).


def _mark(name: str, began: float) -> None:
    rec = getattr(_local, "rec", None)
    if rec is not None:
        rec.setdefault("marks", []).append([name, round(began, 6), round(time.time(), 6)])


def _timed(key: str | Any, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t, wall = time.perf_counter(), time.time()
        try:
            return fn(*args, **kwargs)
        finally:
            name = key(*args, **kwargs) if callable(key) else key
            _add(name, time.perf_counter() - t)
            _mark(name, wall)

    return wrapper


def _sql_key(sql: str) -> str:
    m = SQL_TABLE.match(sql or "")
    if not m:
        return "sql:" + (sql or "").split(None, 1)[0].upper()[:20]
    verb = m.group(1).upper().split()[0]
    if "SAVEPOINT" in m.group(1).upper():
        return "sql:SAVEPOINT"
    table = m.group(2) or m.group(3) or "?"
    if verb == "SELECT" and " FOR UPDATE" in sql.upper():
        verb = "SELECT FOR UPDATE"
    return f"sql:{verb} {table}"


def _docker_key(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> str:
    m = DOCKER_PATH.search(url)
    path = m.group(1) if m else url
    path = re.sub(r"^/containers/[^/]+", "/containers/{name}", path)
    return f"docker:{method.upper()} {path}"


def install() -> None:
    from django.db.backends import utils as db_utils
    from django.db.backends.base.base import BaseDatabaseWrapper

    original = db_utils.CursorWrapper._execute_with_wrappers

    def execute(self: Any, sql: str, params: Any, many: bool, executor: Any) -> Any:
        t, wall = time.perf_counter(), time.time()
        try:
            return original(self, sql, params, many, executor)
        finally:
            key = _sql_key(sql)
            _add(key, time.perf_counter() - t)
            _mark(key, wall)

    db_utils.CursorWrapper._execute_with_wrappers = execute  # type: ignore[method-assign]
    BaseDatabaseWrapper._commit = _timed("sql:COMMIT", BaseDatabaseWrapper._commit)  # type: ignore[method-assign]
    BaseDatabaseWrapper.connect = _timed("sql:CONNECT", BaseDatabaseWrapper.connect)  # type: ignore[method-assign]

    import docker.api.client

    docker.api.client.APIClient.request = _timed(_docker_key, docker.api.client.APIClient.request)  # type: ignore[method-assign]

    import celery.app.base

    celery.app.base.Celery.send_task = _timed(lambda self, name, *a, **k: f"broker:send_task {name}",
                                              celery.app.base.Celery.send_task)  # type: ignore[method-assign]

    from datasets import store
    from executors.docker_engine import DockerLauncher
    from runs import engine, previews

    # Names that a later engine renames or drops are skipped: the trace still runs, with fewer labels.
    for name in ("ensure_started", "wait", "sample_usage", "remove", "follow_logs", "state"):
        if hasattr(DockerLauncher, name):
            setattr(DockerLauncher, name, _timed(f"fn:launcher.{name}", getattr(DockerLauncher, name)))
    for name in ("_resolve_inputs", "_container_spec", "_run_container", "_collect_outputs", "_finish", "_cleanup",
                 "_close_run", "topological", "log_path"):
        if hasattr(engine, name):
            setattr(engine, name, _timed(f"fn:engine.{name}", getattr(engine, name)))
    store.put_file = _timed("fn:store.put_file", store.put_file)
    previews.build = _timed("fn:previews.build", previews.build)

    # The engine joins its log thread after the container exits; time that join.
    class TimedThread(threading.Thread):
        def join(self, timeout: float | None = None) -> None:
            t = time.perf_counter()
            try:
                super().join(timeout)
            finally:
                _add("fn:engine.logs.join", time.perf_counter() - t)

    shim = types.ModuleType("threading_timed")
    shim.__dict__.update(threading.__dict__)
    shim.Thread = TimedThread  # type: ignore[attr-defined]
    engine.threading = shim  # type: ignore[attr-defined]

    from celery import signals

    @signals.task_prerun.connect(weak=False)
    def prerun(task_id: str, task: Any, args: Any = None, **_: Any) -> None:
        _local.rec = {"task": task.name, "args": list(args or []), "t0": time.time(), "p0": time.perf_counter(),
                      "ops": {}}

    @signals.task_postrun.connect(weak=False)
    def postrun(task_id: str, task: Any, **_: Any) -> None:
        rec = getattr(_local, "rec", None)
        _local.rec = None
        if rec is None:
            return
        rec["wall"] = time.perf_counter() - rec.pop("p0")
        _write(rec)

    @signals.worker_shutdown.connect(weak=False)
    def shutdown(**_: Any) -> None:
        with _lock:
            snapshot = {k: dict(v) for k, v in _background.items()}
        _write({"task": "(background threads)", "ops_by_thread": snapshot})


def _write(rec: dict[str, Any]) -> None:
    global _out
    with _lock:
        if _out is None:
            _out = open(os.environ["BENCH_TRACE_FILE"], "a", encoding="utf-8")
        _out.write(json.dumps(rec) + "\n")
        _out.flush()
