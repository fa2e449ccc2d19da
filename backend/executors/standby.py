"""Standby containers: started ahead of time, released when the step's inputs exist.

`docker create` + `docker start` cost about 200 ms on a small machine, far more
than the engine's own bookkeeping between two steps. A standby container is
created and started while its upstream steps still run, with a tiny shell
shim as its entrypoint that blocks, using no CPU, on a named pipe in its control
directory (mounted at /ps-control). Releasing it writes the real command line
(`run.sh`), links the inputs into its /inputs directory, creates `go` and
writes to the pipe; the shim then `exec`s the command, so from there the
process tree is exactly that of a normal start.

Protocol of the control directory (host side in this module; nothing here is
Docker-specific, a Kubernetes launcher can mount the same directory). It is
mounted read-only: the step's code can neither plant links for the worker (which
runs as root) to follow nor forge the release time.

    wake      named pipe the shim reads from until released
    run.sh    `exec 'arg0' 'arg1' ...`, written before `go`
    go        created once released (checked before and after the wait); its
              mtime is the release time
    started   created by the preparer once the container is running (the shim
              does not read it): the worker that claims a step released ahead of
              it can wait for the container without asking the engine first

The shim needs `/bin/sh` in the image; in an image without it the container
exits at once, before any release, and the engine falls back to a normal start.
A standby lives on the Docker engine of the worker that prepared it: every
worker of an installation that uses standbys must share one engine.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

CONTROL_DIR = "/ps-control"

# `read` blocks in open() until a writer appears, so the wait costs nothing; `go` is
# checked first (released before the shim ran) and again after (a spurious wake-up).
SHIM = (
    f"[ -e {CONTROL_DIR}/go ] || read _ < {CONTROL_DIR}/wake; "
    f"[ -e {CONTROL_DIR}/go ] || {{ echo 'standby: woken without a release' >&2; exit 97; }}; "
    f". {CONTROL_DIR}/run.sh"
)
ENTRYPOINT = ["/bin/sh", "-c", SHIM, "ps-standby"]


def quote(arg: str) -> str:
    """POSIX shell single quoting: every byte but NUL survives unchanged."""
    return "'" + arg.replace("'", "'\\''") + "'"


def prepare_control_dir(control: Path) -> None:
    """Creates the control directory and its pipe (idempotent: preparer and executor may race)."""
    control.mkdir(parents=True, exist_ok=True)
    control.chmod(0o755)  # the step runs as an unprivileged user; it only reads here
    with contextlib.suppress(FileExistsError):
        os.mkfifo(control / "wake", 0o644)
    (control / "wake").chmod(0o644)


def is_released(control: Path) -> bool:
    return (control / "go").exists()


def release(control: Path, argv: Iterable[str]) -> None:
    """Writes the command line, then `go`. Link the inputs first: the shim may start at once."""
    argv = list(argv)
    if not argv:
        raise ValueError("a standby container needs a command to exec")
    prepare_control_dir(control)
    script = control / "run.sh.tmp"
    script.write_text("exec " + " ".join(quote(a) for a in argv) + "\n", encoding="utf-8")
    script.chmod(0o644)
    script.replace(control / "run.sh")
    (control / "go").touch(mode=0o644)


def wake(control: Path) -> int:
    """Wakes a shim waiting on the pipe. Returns the descriptor: a worker that waits for the
    container keeps it open until the container has exited, so a shim that reaches the pipe
    late still finds the byte there (pipe data lives while a descriptor does). Any number of
    wake-ups is harmless."""
    # O_RDWR never blocks on a FIFO and counts as a writer, so a shim blocked in open()
    # proceeds and reads the byte.
    fd = os.open(control / "wake", os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(fd, b"\n")
    except OSError as exc:
        if exc.errno != errno.EAGAIN:  # a full pipe: plenty of wake-ups are waiting already
            os.close(fd)
            raise
    return fd


def mark_started(control: Path) -> None:
    (control / "started").touch(mode=0o644)


def is_started(control: Path) -> bool:
    return (control / "started").exists()


def released_at(control: Path) -> datetime | None:
    """When the standby was released (the shim hands over within a millisecond), or None."""
    try:
        return datetime.fromtimestamp((control / "go").stat().st_mtime, tz=UTC)
    except OSError:
        return None


def link_input(source: Path, target: Path) -> None:
    """Puts an input file into the standby's /inputs directory without copying it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.parent.chmod(0o755)
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    os.link(source, target)
