"""A large upload never sits in memory: multipart and raw bodies stream into the store chunk by chunk."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from collections.abc import Iterator

import pytest
from django.test import RequestFactory
from rest_framework.test import force_authenticate

from datasets.api import DatasetVersionsView
from datasets.models import Dataset, DatasetVersion

pytestmark = pytest.mark.django_db

SIZE = 32 * 1024 * 1024
# Long rows keep the CSV row count cheap under tracemalloc, which traces every allocation.
ROW = b"1.0,2.0,3.0," + b"x" * 1000 + b"\n"


class LazyBody(io.RawIOBase):
    """A request body produced on demand, so the test itself holds no copy of it."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces, self.buffer, self.offset = pieces, b"", 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.offset >= len(self.buffer):
            self.buffer, self.offset = next(self.pieces, b""), 0
        if size < 0:
            size = len(self.buffer) - self.offset
        out = self.buffer[self.offset:self.offset + size]
        self.offset += len(out)
        return out

    def readline(self, size: int = -1) -> bytes:  # Django's LimitedStream may call it
        return self.read(size if size >= 0 else 65536)


def _content() -> Iterator[bytes]:
    yield b"a,b,c,label\n"
    chunk = ROW * (1024 * 1024 // len(ROW))
    sent = len(b"a,b,c,label\n")
    while sent + len(chunk) <= SIZE:
        yield chunk
        sent += len(chunk)
    yield ROW * ((SIZE - sent) // len(ROW))


def _expected() -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for piece in _content():
        digest.update(piece)
        size += len(piece)
    return digest.hexdigest(), size


def _post(user, dataset: Dataset, body: Iterator[bytes], length: int, content_type: str):  # type: ignore[no-untyped-def]
    request = RequestFactory().request(
        REQUEST_METHOD="POST",
        PATH_INFO=f"/api/datasets/{dataset.pk}/versions/",
        QUERY_STRING="filename=big.csv",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": LazyBody(body)},
    )
    force_authenticate(request, user=user)
    tracemalloc.start()
    try:
        response = DatasetVersionsView.as_view()(request, pk=dataset.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def test_a_multipart_upload_streams(user):
    dataset = Dataset.objects.create(name="big")
    sha, size = _expected()
    boundary = "----studio-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from _content()
        yield tail

    response, peak = _post(user, dataset, body(), len(head) + size + len(tail), f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 201, response.data
    version = DatasetVersion.objects.get()
    assert (version.sha256, version.size) == (sha, size)
    assert version.metadata["rows"] == (size - len(b"a,b,c,label\n")) // len(ROW)
    assert peak < 8 * 1024 * 1024, f"peak Python memory {peak:,} bytes for a {size:,}-byte upload"


def test_a_raw_upload_streams(user):
    dataset = Dataset.objects.create(name="big")
    sha, size = _expected()

    response, peak = _post(user, dataset, _content(), size, "application/octet-stream")

    assert response.status_code == 201, response.data
    assert DatasetVersion.objects.get().sha256 == sha
    assert peak < 8 * 1024 * 1024, f"peak Python memory {peak:,} bytes for a {size:,}-byte upload"
