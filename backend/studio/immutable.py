"""Rows that never change once stored: component, pipeline and dataset versions."""

from __future__ import annotations

from typing import Any


class Immutable:
    """Mixin (before models.Model) whose save() refuses a row that is already stored: runs,
    pipelines and lineage point at versions by id, so rewriting one would change what they meant.
    QuerySet.update stays possible for bookkeeping columns."""

    # What to do instead, for the error message.
    immutable_hint = "save a new version instead"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:  # type: ignore[attr-defined]
            raise ValueError(f"{type(self).__name__} is immutable; {self.immutable_hint}.")
        super().save(*args, **kwargs)  # type: ignore[misc]
