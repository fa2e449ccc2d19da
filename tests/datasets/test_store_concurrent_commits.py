"""Writers committing the same content at once all get the blob, and none removes another's
(datasets/store.py `_commit`: a blob is created by a hard link that never overwrites)."""

from __future__ import annotations

import io
import stat
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from datasets import store

WRITERS = 8
ROUNDS = 25


def _put_stream(data: bytes) -> store.Blob:
    return store.put_stream(io.BytesIO(data))


def _writer_commit(data: bytes) -> store.Blob:
    writer = store.BlobWriter()
    half = len(data) // 2
    writer.write(data[:half])
    writer.write(data[half:])
    return writer.commit()


def _race(commits: list[Callable[[], store.Blob]]) -> list[store.Blob | BaseException]:
    """Runs the commits in threads released at the same moment; their results (or errors) in order."""
    start = threading.Barrier(len(commits))
    results: list[store.Blob | BaseException] = [RuntimeError("did not finish")] * len(commits)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = commits[index]()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(commits))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_identical_content_committed_at_once_is_stored_once_and_every_writer_gets_it(
        settings, tmp_path: Path) -> None:
    settings.ARTIFACT_ROOT = str(tmp_path / "store")

    for round_ in range(ROUNDS):
        data = f"round {round_}\n".encode() * 1000  # fresh content: every round races on a new blob
        sources = []
        for index in range(WRITERS // 4):  # some writers move a finished file in, as a step's outputs are
            source = tmp_path / "store" / "work" / f"out-{round_}-{index}"
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(data)
            sources.append(source)
        commits: list[Callable[[], store.Blob]] = [
            *(partial(store.put_file, source, move=True) for source in sources),
            *(partial(_put_stream, data) for _ in range(WRITERS // 4)),
            *(partial(_writer_commit, data) for _ in range(WRITERS - 2 * (WRITERS // 4))),
        ]

        results = _race(commits)

        errors = [result for result in results if isinstance(result, BaseException)]
        assert not errors, f"round {round_}: {errors!r}"
        blobs = [result for result in results if isinstance(result, store.Blob)]
        assert {blob.path for blob in blobs} == {store.blob_path(blobs[0].sha256)}
        assert {(blob.sha256, blob.size) for blob in blobs} == {(blobs[0].sha256, len(data))}
        path = blobs[0].path
        assert path.read_bytes() == data, f"round {round_}: the blob is missing or wrong"
        mode = path.lstat()
        assert stat.S_ISREG(mode.st_mode) and stat.S_IMODE(mode.st_mode) == 0o644
        assert mode.st_nlink == 1  # no temp name still shares the blob's inode
        assert not any(source.exists() for source in sources)

    assert not list((tmp_path / "store" / "tmp").iterdir()), "temp files were left behind"
    assert len(list((tmp_path / "store" / "sha256").rglob("*/*"))) == ROUNDS


@pytest.mark.parametrize("move", [True, False])
def test_committing_content_the_store_has_leaves_the_blob_as_it_was(settings, tmp_path: Path, move: bool) -> None:
    settings.ARTIFACT_ROOT = str(tmp_path / "store")
    first = store.put_bytes(b"same")
    before = first.path.lstat()
    source = tmp_path / "store" / "work" / "again"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"same")

    again = store.put_file(source, move=move)

    assert again.path == first.path and again.path.read_bytes() == b"same"
    after = again.path.lstat()
    assert (after.st_ino, after.st_nlink, stat.S_IMODE(after.st_mode)) == (before.st_ino, 1, 0o644)
    assert source.exists() is (not move)
    assert not list((tmp_path / "store" / "tmp").iterdir())
