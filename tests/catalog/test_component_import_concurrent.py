"""Two imports racing on the same component never both create version N."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from catalog.models import Component, ComponentVersion
from catalog.services import component_import
from tests.catalog.catalog_factories import spec_dict

pytestmark = pytest.mark.django_db(transaction=True)


def race(*jobs: Callable[[], Any]) -> list[Any]:
    """Runs the jobs in threads released together; returns results (or exceptions) in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # reported by the assertions below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_imports_of_one_new_spec_store_it_once() -> None:
    results = race(*[lambda: component_import(spec=spec_dict())] * 4)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({version.pk for version, _ in results}) == 1
    assert (Component.objects.count(), ComponentVersion.objects.count()) == (1, 1)


def test_concurrent_changes_get_distinct_version_numbers() -> None:
    component_import(spec=spec_dict())
    results = race(*[(lambda i=i: component_import(spec=spec_dict(description=f"Change {i}"))) for i in range(3)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(version.version for version, _ in results) == [2, 3, 4]
    assert list(ComponentVersion.objects.order_by("version").values_list("version", flat=True)) == [1, 2, 3, 4]
