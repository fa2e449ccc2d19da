"""Streaming uploads: the body goes chunk by chunk into a pending file that enters the store only
when its version commits.

Django's default handlers keep small files in memory and spool large ones to
/tmp before the view sees them; `StoreUploadHandler` replaces them for dataset
uploads. It hashes while it writes into the store's temp directory (the same
filesystem, so the finished file is linked into place, never copied) and
stops reading at the size limit.

The body is read before the view decides anything: a session's CSRF check
reads request.POST, which runs the handler, and only then is the request
refused (403), or the view finds no such dataset (404). So a received file is
a `store.PendingBlob`: a temp file that `commit()` moves into the store from inside
the version's transaction, and that is deleted otherwise, whatever refused the
request (the view's `finalize_response`, which every answer passes, aborts the
handler; the upload service discards what it did not commit).
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers, StopUpload

from datasets import store

FIELD = "file"


class PendingUpload(UploadedFile):
    """What request.FILES["file"] holds after a streamed upload: the pending blob, no content."""

    def __init__(self, blob: store.PendingBlob, name: str, content_type: str) -> None:
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=blob.size)
        self.blob = blob


class StoreUploadHandler(FileUploadHandler):
    chunk_size = store.CHUNK

    def __init__(self, request: Any = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.writer: store.BlobWriter | None = None
        self.pending: store.PendingBlob | None = None
        self.too_large = False
        self.received = 0
        self.accepted = False

    def new_file(self, field_name: str, file_name: str, content_type: str, content_length: int | None,
                 charset: str | None = None, content_type_extra: dict[str, Any] | None = None) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if field_name != FIELD or self.accepted:
            raise SkipFile()  # one file per upload, in the field named "file"
        self.accepted = True
        self.writer = store.BlobWriter(max_bytes=self.max_bytes)
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.writer is None:
            return None
        try:
            self.writer.write(raw_data)
        except store.BlobTooLarge as exc:
            self.too_large = True
            self.received = exc.received
            self.writer = None
            # Stop parsing; Django discards the rest of the body without storing it.
            raise StopUpload(connection_reset=False) from None
        return None

    def file_complete(self, file_size: int) -> PendingUpload | None:
        if self.writer is None:
            return None
        self.pending = self.writer.finish()
        self.writer = None
        return PendingUpload(self.pending, self.file_name or "", self.content_type or "")

    def upload_interrupted(self) -> None:
        self.abort()

    def abort(self) -> None:
        """Deletes whatever was received and did not become a version (safe at any point, and again)."""
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
        if self.pending is not None:
            self.pending.discard()
