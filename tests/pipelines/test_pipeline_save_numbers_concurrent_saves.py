"""Two saves of one pipeline at the same moment get numbers n+1 and n+2, neither fails."""

import threading
from copy import deepcopy
from typing import Any

import pytest
from django.db import connection

from pipelines import services
from pipelines.models import Pipeline
from tests.pipelines.pipeline_factories import sound_pipeline


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_saves_one_after_the_other(catalog: Any, user: Any) -> None:
    graph, parameters = sound_pipeline(catalog)
    pipeline = services.pipeline_create(name="Race", description="", graph=graph, parameters=parameters, user=user)
    stale = Pipeline.objects.get(pk=pipeline.pk)  # both savers start from the same snapshot

    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def save(rate: float) -> None:
        changed = deepcopy(graph)
        changed["nodes"][1]["arguments"]["rate"] = {"value": rate}
        try:
            barrier.wait()
            services.pipeline_update(
                pipeline=stale, name="Race", description="", graph=changed, parameters=parameters, message=str(rate), user=None
            )
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(0.2 + i / 10,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(pipeline.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
