"""The content-addressed artifact store (a local directory; S3 later).

Blobs live at `<root>/sha256/<2 hex>/<64 hex>`; identical content is stored
once. Writers stream into a temp file beside the blobs and hard-link it into
place (never replacing a blob), so a reader never sees half a blob and a crash leaves only temp
files.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    path: Path

    @property
    def uri(self) -> str:
        return f"store://sha256/{self.sha256}"


def root() -> Path:
    return Path(settings.ARTIFACT_ROOT)


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return root() / "sha256" / sha256[:2] / sha256


def host_path(path: Path) -> Path:
    """The same file as the Docker engine sees it (ARTIFACT_HOST_ROOT may differ from ARTIFACT_ROOT)."""
    rel = Path(path).resolve().relative_to(root().resolve())
    return Path(settings.ARTIFACT_HOST_ROOT) / rel


def scratch_dir(*parts: str) -> Path:
    """A working directory inside the store root (same filesystem, so a file there becomes a blob by a hard link)."""
    path = root().joinpath("work", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _tmp_dir() -> Path:
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


class BlobTooLarge(ValueError):
    """More bytes arrived than the writer's limit allows (the partial file is already removed)."""

    def __init__(self, max_bytes: int, received: int) -> None:
        super().__init__(f"larger than the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes
        self.received = received


class NotARegularFile(ValueError):
    """A path handed to the store is a symbolic link, a directory, a pipe or a device, not a file."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a regular file")
        self.path = path
        self.kind = kind


def file_kind(mode: int) -> str:
    """What an lstat mode says the path is, in words for an error message."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _open_regular(path: Path) -> int:
    """Opens a regular file for reading without following a symbolic link (O_NOFOLLOW) or blocking
    on a named pipe (O_NONBLOCK); raises NotARegularFile for anything else. Files written by step
    containers pass through here: a step must not make the worker read or chmod host files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotARegularFile(Path(path), "a symbolic link") from exc
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotARegularFile(Path(path), file_kind(mode))
    return fd


class PendingBlob:
    """Hashed bytes in a temp file of the store, not yet a blob: `commit()` links them into place
    (dropped when the store has these bytes already), `discard()` deletes them. Both idempotent,
    and `discard()` after `commit()` does nothing. Uploads are held like this until their
    version commits, so a refused request leaves nothing behind (datasets.uploads)."""

    def __init__(self, path: Path, sha256: str, size: int) -> None:
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.committed = False

    @property
    def uri(self) -> str:
        return f"store://sha256/{self.sha256}"

    def commit(self) -> Blob:
        if not self.committed:
            blob = _commit(self.path, self.sha256, self.size)
            self.committed = True
            self.path = blob.path
        return Blob(sha256=self.sha256, size=self.size, path=self.path)

    def discard(self) -> None:
        if not self.committed:
            self.path.unlink(missing_ok=True)


class BlobWriter:
    """Writes a blob chunk by chunk (e.g. from an upload handler), hashing as it goes.

    `finish()` closes the file as a PendingBlob, `commit()` also moves it into place; `abort()`
    (idempotent, also safe after either) removes what was written. Nothing is held in memory.
    """

    def __init__(self, *, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._digest = hashlib.sha256()
        fd, name = tempfile.mkstemp(dir=_tmp_dir(), prefix="upload-")
        self._path = Path(name)
        self._out: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        if self._out is None:
            raise ValueError("the blob writer is closed")
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            received = self.size
            self.abort()
            raise BlobTooLarge(self.max_bytes, received)
        self._digest.update(chunk)
        self._out.write(chunk)

    def finish(self) -> PendingBlob:
        if self._out is None:
            raise ValueError("the blob writer is closed")
        self._out.close()
        self._out = None
        return PendingBlob(self._path, self._digest.hexdigest(), self.size)

    def commit(self) -> Blob:
        return self.finish().commit()

    def abort(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            self._path.unlink(missing_ok=True)


def receive_stream(stream: BinaryIO, *, max_bytes: int | None = None) -> PendingBlob:
    """A stream as a PendingBlob, without holding it in memory; raises BlobTooLarge past max_bytes
    (nothing left behind)."""
    writer = BlobWriter(max_bytes=max_bytes)
    try:
        while chunk := stream.read(CHUNK):
            writer.write(chunk)
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


def put_stream(stream: BinaryIO, *, max_bytes: int | None = None) -> Blob:
    """Stores a stream without holding it in memory; raises ValueError (BlobTooLarge) past max_bytes."""
    pending = receive_stream(stream, max_bytes=max_bytes)
    try:
        return pending.commit()
    finally:
        pending.discard()


def put_file(path: Path, *, move: bool = False) -> Blob:
    """Stores a regular file (never through a symbolic link: NotARegularFile). With move=True the
    file itself becomes the blob: linked into place, its old name removed (it must be on the
    store's filesystem)."""
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        if not move:
            return put_stream(handle)
        digest = hashlib.sha256()
        size = 0
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
        return _commit(Path(path), digest.hexdigest(), size, opened=os.fstat(handle.fileno()))


def put_bytes(data: bytes) -> Blob:
    import io

    return put_stream(io.BytesIO(data))


def _commit(tmp: Path, sha: str, size: int, *, opened: os.stat_result | None = None) -> Blob:
    """Makes `tmp` the blob `sha` and removes the name `tmp`. Never follows a symbolic link: the
    mode is set on a descriptor opened with O_NOFOLLOW, and what becomes the blob must be the file
    that was hashed (`opened`, its fstat when the caller read it).

    The blob is created with a hard link, which fails when the name exists, rather than a rename,
    which replaces it: writers committing the same content at once (two uploads, two steps with
    equal outputs) race for the name, one creates it, the others find it and keep what is there.
    A writer removes a blob only when it created that name itself, so a blob another writer has
    reported stored never disappears under it."""
    target = blob_path(sha)
    fd = _open_regular(tmp)
    try:
        current = os.fstat(fd)
        if opened is not None and (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino):
            raise NotARegularFile(Path(tmp), "a different file from the one that was read")
        os.fchmod(fd, 0o644)  # before it has the blob's name: step containers run as another user and read it
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(tmp, target, follow_symlinks=False)  # links a symbolic link itself, never its target
        except FileExistsError:
            pass  # stored already, by an earlier or a concurrent writer: same name, same bytes
        else:
            linked = os.lstat(target)
            if (linked.st_dev, linked.st_ino) != (current.st_dev, current.st_ino):
                # `tmp` was swapped after it was opened. This writer created `target` (a link never
                # replaces a name), so removing it takes nothing from anyone else.
                target.unlink(missing_ok=True)
                raise NotARegularFile(Path(tmp), "a different file from the one that was read")
        tmp.unlink(missing_ok=True)
    finally:
        os.close(fd)
    return Blob(sha256=sha, size=size, path=target)


def open_blob(sha256: str) -> BinaryIO:
    return open(blob_path(sha256), "rb")


def read_head(sha256: str, limit: int) -> bytes:
    with open_blob(sha256) as handle:
        return handle.read(limit)


def iter_blob(sha256: str) -> Iterator[bytes]:
    with open_blob(sha256) as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
