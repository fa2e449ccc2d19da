"""The stack under test, started by the harness: its own database, Celery worker, beat and gunicorn.

Nothing here touches what others run on the same machine: the bench has its
own PostgreSQL database, Redis database number, state directory, loopback
port, and every process it starts it stops by its own pid.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
BACKEND = REPO / "backend"
VENV_BIN = Path(sys.executable).parent


# --------------------------------------------------------------------------- environment


def stack_env(*, database_url: str, broker_url: str, var_dir: Path, production_like: bool = True) -> dict[str, str]:
    """Environment of every process of the stack (worker, beat, gunicorn).

    production_like keeps the engine's defaults (heartbeat 5 s, stale 30 s,
    reconciler every 10 s, persistent DB connections): what `make up` and
    docker-compose run. The smoke test may pass False to shorten nothing
    but start-up; timings are not its business.
    """
    env = dict(os.environ)
    for key in list(env):
        # A developer's shell may carry engine knobs; the bench states its own.
        if key.startswith("STUDIO_") and key not in ("STUDIO_BASE_IMAGE", "STUDIO_DOCKER_TIMEOUT"):
            env.pop(key)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "STUDIO_VAR_DIR": str(var_dir),
            "STUDIO_ARTIFACT_ROOT": str(var_dir / "artifacts"),
            "STUDIO_LOG_ROOT": str(var_dir / "logs"),
            "PYTHONPATH": str(BACKEND),
            # Production mode for the web process: no debug query log, no debug pages.
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    if not production_like:
        env.update({"STUDIO_HEARTBEAT_SECONDS": "1", "STUDIO_STALE_SECONDS": "10", "DB_CONN_MAX_AGE": "0"})
    return env


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free loopback port")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    """Drops and creates the bench database (its name is the URL's path), so every bench starts clean."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum() or "bench" not in name:
        raise RuntimeError(f"refusing to recreate database {name!r}: the bench only recreates a database named *bench*")
    conn = psycopg2.connect(with_database(url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def remove_leftover_containers() -> int:
    """Removes containers an interrupted bench left behind: only names ps-<run>-bench-... (the bench's node ids)
    of this bench's installation (its database), so a second bench on another database keeps its containers."""
    import docker

    from runs.engine import installation_id

    client = docker.from_env()
    removed = 0
    mine = f"studio.installation={installation_id()}"
    for container in client.containers.list(all=True, filters={"name": "-bench-", "label": mine}):
        step = (container.labels or {}).get("studio.step", "")
        if container.name.startswith("ps-") and step.startswith("bench-"):
            container.remove(force=True)
            removed += 1
    return removed


def offset_sequences(start: int) -> None:
    """Makes run/step ids start high, so container names ps-<run>-... never collide with another database's
    (the dev server and the test suite share this Docker engine; container names are engine-global)."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("runs_run", "runs_steprun", "runs_artifact"):
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (seq,) = cur.fetchone()
            cur.execute("SELECT setval(%s, %s, false)", [seq, start])


# --------------------------------------------------------------------------- processes


class Process:
    """A child process in its own session, stopped by its pid (never by name)."""

    name = "process"

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path, cwd: Path = BACKEND) -> None:
        self.args, self.env, self.log, self.cwd = args, env, log, cwd
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def spawn(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "ab")
        self.proc = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        handle.close()

    def wait_until(self, ready: Callable[[], bool], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited (code {self.proc.returncode}): {self.tail()}")
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in {timeout:.0f}s: {self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def rss_bytes(self) -> int:
        """Resident memory of the process (VmRSS)."""
        with open(f"/proc/{self.pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/task"))


class CeleryWorker(Process):
    name = "celery worker"

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int = 10, tag: str = "bench") -> None:
        args = [str(VENV_BIN / "python"), "-m", "celery", "-A", "studio", "worker", "--pool", "threads",
                "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                "--hostname", f"{tag}-{os.getpid()}-{time.monotonic_ns()}@%h"]
        super().__init__(args, env=env, log=log)

    def start(self) -> CeleryWorker:
        self.log.write_bytes(b"")
        self.spawn()
        self.wait_until(lambda: b"ready." in self.log.read_bytes())
        return self


class BenchWorker(CeleryWorker):
    """`python -m bench.worker`: a Celery worker with the bench's tracing hooks and/or experiment patches."""

    name = "bench celery worker"

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int = 10, tag: str = "bench-x",
                 trace: Path | None = None, experiments: str = "") -> None:
        env = {**env, "PYTHONPATH": f"{BACKEND}{os.pathsep}{REPO}", "BENCH_EXPERIMENTS": experiments}
        if trace is not None:
            env["BENCH_TRACE_FILE"] = str(trace)
        super().__init__(env=env, log=log, concurrency=concurrency, tag=tag)
        self.args = [self.args[0], "-m", "bench.worker", *self.args[3:]]  # python -m bench.worker -A studio worker ...


class CeleryBeat(Process):
    """The reconciler's clock, as in production (scripts/Procfile `beat`)."""

    name = "celery beat"

    def __init__(self, *, env: dict[str, str], log: Path, schedule: Path) -> None:
        args = [str(VENV_BIN / "python"), "-m", "celery", "-A", "studio", "beat", "--loglevel", "INFO",
                "--schedule", str(schedule)]
        super().__init__(args, env=env, log=log)

    def start(self) -> CeleryBeat:
        self.log.write_bytes(b"")
        self.spawn()
        self.wait_until(lambda: b"beat: Starting" in self.log.read_bytes() or b"Scheduler:" in self.log.read_bytes(),
                        timeout=60)
        return self


class Gunicorn(Process):
    """The web process exactly as scripts/serve.sh runs it, on its own loopback port."""

    name = "gunicorn"

    def __init__(self, *, env: dict[str, str], log: Path, port: int) -> None:
        self.port = port
        args = [str(VENV_BIN / "gunicorn"), "studio.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--threads", "8", "--timeout", "0", "--error-logfile", "-"]
        super().__init__(args, env=env, log=log)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        import requests

        self.log.write_bytes(b"")
        self.spawn()

        def ready() -> bool:
            try:
                return requests.get(f"{self.base_url}/api/health/", timeout=2).status_code < 500
            except requests.RequestException:
                return False

        self.wait_until(ready)
        return self


# --------------------------------------------------------------------------- HTTP


class Api:
    """The public HTTP API, as a script would use it (token auth, keep-alive)."""

    def __init__(self, base_url: str, token: str) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(f"{self.base_url}{path}", params=params or None, timeout=60)
        response.raise_for_status()
        return response

    def start_run(self, pipeline_id: int, parameters: dict[str, Any] | None = None) -> int:
        response = self.session.post(f"{self.base_url}/api/pipelines/{pipeline_id}/runs/",
                                     json={"parameters": parameters or {}}, timeout=60)
        if response.status_code != 201:
            raise RuntimeError(f"starting a run of pipeline {pipeline_id}: {response.status_code} {response.text[:500]}")
        return int(response.json()["id"])


def api_token(username: str = "bench") -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


# --------------------------------------------------------------------------- Docker events


@dataclass(frozen=True)
class Event:
    t: float  # seconds since the epoch, from the daemon's timeNano
    action: str
    name: str
    attributes: dict[str, str]
    received: float = 0.0  # seconds since the epoch, when this process read it from the stream


class DockerEvents:
    """Records container events (create/start/die/destroy...) from the engine's event stream in a thread."""

    def __init__(self) -> None:
        import docker

        self.client = docker.from_env(timeout=300)
        self.events: list[Event] = []
        self._lock = threading.Lock()
        self._stream: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> DockerEvents:
        self._stream = self.client.events(decode=True, filters={"type": "container"})
        self._thread = threading.Thread(target=self._pump, name="docker-events", daemon=True)
        self._thread.start()
        return self

    def _pump(self) -> None:
        try:
            for raw in self._stream:
                actor = raw.get("Actor") or {}
                attributes = dict(actor.get("Attributes") or {})
                event = Event(
                    t=int(raw.get("timeNano") or int(raw.get("time", 0)) * 10**9) / 1e9,
                    action=str(raw.get("Action") or raw.get("status") or "").split(":")[0],
                    name=attributes.get("name", ""),
                    attributes=attributes,
                    received=time.time(),
                )
                with self._lock:
                    self.events.append(event)
        except Exception:  # noqa: BLE001 - closing the stream ends the loop with an error
            return

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:  # noqa: BLE001
                pass

    def snapshot(self) -> list[Event]:
        with self._lock:
            return list(self.events)

    def matching(self, prefix: str, actions: tuple[str, ...] | None = None) -> list[Event]:
        return [e for e in self.snapshot() if e.name.startswith(prefix) and (actions is None or e.action in actions)]

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.snapshot()):
                return True
            time.sleep(0.02)
        return False


def iter_chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
