"""Fixtures for the catalog tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from catalog.models import Component, ComponentVersion


@pytest.fixture
def row_counts(db: Any) -> Callable[[], tuple[int, int]]:
    """(components, versions) now: compare before/after a rejected request to prove nothing was left behind."""

    def counts() -> tuple[int, int]:
        return Component.objects.count(), ComponentVersion.objects.count()

    return counts
