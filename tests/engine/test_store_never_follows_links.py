"""The artifact store never reads or chmods through a symbolic link (datasets/store.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from datasets import store


def test_put_file_refuses_a_symbolic_link_and_leaves_its_target_alone(settings, tmp_path: Path) -> None:
    settings.ARTIFACT_ROOT = str(tmp_path / "store")
    target = tmp_path / "private"
    target.write_bytes(b"private")
    target.chmod(0o600)
    link = tmp_path / "link"
    os.symlink(target, link)

    for move in (True, False):
        with pytest.raises(store.NotARegularFile, match="symbolic link"):
            store.put_file(link, move=move)

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert link.is_symlink()
    assert not list((tmp_path / "store").rglob("sha256/*/*"))


def test_put_file_refuses_a_named_pipe_without_blocking(settings, tmp_path: Path) -> None:
    settings.ARTIFACT_ROOT = str(tmp_path / "store")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    with pytest.raises(store.NotARegularFile, match="named pipe"):
        store.put_file(fifo, move=True)


def test_a_moved_file_becomes_a_readable_blob(settings, tmp_path: Path) -> None:
    settings.ARTIFACT_ROOT = str(tmp_path / "store")
    source = tmp_path / "out"
    source.write_bytes(b"content")
    source.chmod(0o600)

    blob = store.put_file(source, move=True)

    assert not source.exists()
    assert blob.path.read_bytes() == b"content"
    assert stat.S_IMODE(blob.path.stat().st_mode) == 0o644
