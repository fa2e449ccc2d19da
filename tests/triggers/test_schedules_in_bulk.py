"""Many schedules due at one moment: they fire in batches with a fixed number of statements each, a
schedule that cannot fire does not hold up its batch, and the tick wakes workers at the moment
schedules are due instead of leaving them to the next tick."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pipelines.models import PipelineVersion
from runs.models import Run
from tests.engine.conftest import make_pipeline, node
from triggers import services
from triggers.models import Schedule, ScheduleFiring

T0 = datetime(2030, 1, 7, 12, 0, 30, tzinfo=UTC)
NOON_01 = datetime(2030, 1, 7, 12, 1, tzinfo=UTC)


def many(pipeline: Any, count: int, **fields: Any) -> list[Schedule]:
    first = services.schedule_create(pipeline=pipeline, cron="* * * * *", now=T0, **fields)
    rest = Schedule.objects.bulk_create(
        [Schedule(pipeline=pipeline, cron=first.cron, next_fire_at=first.next_fire_at, **fields) for _ in range(count - 1)]
    )
    return [first, *rest]


@pytest.mark.django_db
def test_many_due_schedules_fire_once_each_with_a_few_statements_per_batch(shell_component, monkeypatch):
    monkeypatch.setenv("STUDIO_SCHEDULE_BATCH", "50")
    pipeline = make_pipeline("bulk", [node("a", shell_component, "pass"), node("b", shell_component, "pass", upstream="a")])
    schedules = many(pipeline, 120, name="bulk")

    with CaptureQueriesContext(connection) as queries:
        counts = services.schedules_tick(now=NOON_01 + timedelta(seconds=1))

    assert counts == {"started": 120, "missed": 0}
    # Three batches (50 + 50 + 20) and the empty claim that ends the loop: the cost per batch is fixed.
    assert len(queries.captured_queries) <= 3 * 16 + 1, [q["sql"][:80] for q in queries.captured_queries]
    firings = ScheduleFiring.objects.filter(fire_time=NOON_01, status="started")
    assert sorted(firings.values_list("schedule_id", flat=True)) == sorted(s.pk for s in schedules)
    runs = Run.objects.filter(pipeline=pipeline)
    assert runs.count() == 120 and set(firings.values_list("run_id", flat=True)) == set(runs.values_list("pk", flat=True))
    assert {(r.trigger["schedule"], r.trigger["fire_time"]) for r in runs} == {(s.pk, NOON_01.isoformat()) for s in schedules}
    assert all(r.steps.count() == 2 for r in runs[:5])
    assert set(Schedule.objects.values_list("next_fire_at", "last_fire_at")) == {(NOON_01 + timedelta(minutes=1), NOON_01)}

    assert services.schedules_tick(now=NOON_01 + timedelta(seconds=2)) == {}  # nothing is due twice


@pytest.mark.django_db
def test_schedules_in_one_batch_each_start_their_own_version_and_parameters(db):
    parameters = [{"name": "trees", "type": "Integer"}]
    pipeline = make_pipeline("mixed", [], parameters=parameters)
    PipelineVersion.objects.create(pipeline=pipeline, number=2, graph={"schema_version": 1, "nodes": []}, digest="v2", parameters=parameters)
    five = many(pipeline, 3, parameters={"trees": 5})
    pinned = services.schedule_create(pipeline=pipeline, cron="* * * * *", parameters={"trees": 7}, pipeline_version=1, now=T0)
    broken_parameters = services.schedule_create(pipeline=pipeline, cron="* * * * *", parameters={"trees": 9}, now=T0)
    Schedule.objects.filter(pk=broken_parameters.pk).update(parameters={"trees": "many"})

    counts = services.schedules_tick(now=NOON_01)

    assert counts == {"started": 4, "failed": 1, "missed": 0}
    started = {f.schedule_id: f.run for f in ScheduleFiring.objects.filter(status="started").select_related("run__pipeline_version")}
    assert {pk: (run.pipeline_version.number, run.parameters) for pk, run in started.items()} == {
        **{s.pk: (2, {"trees": 5}) for s in five},
        pinned.pk: (1, {"trees": 7}),
    }
    failed = ScheduleFiring.objects.get(schedule=broken_parameters)
    assert failed.status == "failed" and "parameter 'trees' (Integer)" in failed.detail and failed.run is None


@pytest.mark.django_db
def test_a_schedule_that_cannot_be_read_does_not_hold_up_its_batch(db):
    pipeline = make_pipeline("one bad apple", [])
    good = many(pipeline, 5)
    bad = services.schedule_create(pipeline=pipeline, cron="* * * * *", now=T0)
    Schedule.objects.filter(pk=bad.pk).update(timezone="Atlantis/Lost")  # e.g. a zone a newer tzdata dropped

    counts = services.schedules_tick(now=NOON_01)

    assert counts == {"started": 5, "errors": 1, "missed": 0}
    assert set(ScheduleFiring.objects.values_list("schedule_id", flat=True)) == {s.pk for s in good}
    bad.refresh_from_db()
    assert bad.next_fire_at == NOON_01  # retried at the next tick


@pytest.mark.django_db
def test_the_tick_wakes_workers_at_the_next_fire_time_once(db, monkeypatch):
    monkeypatch.setenv("STUDIO_SCHEDULE_BATCH", "10")
    monkeypatch.setenv("STUDIO_SCHEDULE_FAN_OUT", "3")
    sent: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(services, "_send", lambda task, *args, **options: sent.append((task, args, options)))
    now = timezone.now()
    # A fire time of its own, so markers left by an earlier test run do not count.
    soon = (now + timedelta(seconds=4)).replace(microsecond=uuid.uuid4().int % 1_000_000)
    pipeline = make_pipeline("soon", [])
    many(pipeline, 25)
    Schedule.objects.update(next_fire_at=soon)
    later = services.schedule_create(pipeline=pipeline, cron="* * * * *", now=T0)
    Schedule.objects.filter(pk=later.pk).update(next_fire_at=soon + timedelta(minutes=1))

    assert services.schedules_wake_up(now=now) == 3  # 25 due: three batches of ten, three threads
    assert sent == [("triggers.fire_schedules", (soon.isoformat(),), {"eta": soon, "expires": soon + timedelta(seconds=10)})] * 3
    assert services.schedules_wake_up(now=now + timedelta(seconds=1)) == 0  # another tick or beat process: already sent

    Schedule.objects.update(next_fire_at=now + timedelta(minutes=5))
    assert services.schedules_wake_up(now=now) == 0  # nothing due before the tick after next

    # A schedule that keeps failing stays due (the tick's own work); it does not hide the next fire time.
    Schedule.objects.filter(pk=later.pk).update(next_fire_at=now - timedelta(minutes=3))
    Schedule.objects.filter(pk=many(pipeline, 1)[0].pk).update(next_fire_at=soon + timedelta(seconds=2))
    assert services.schedules_wake_up(now=now) == 1
    assert sent[-1][1] == ((soon + timedelta(seconds=2)).isoformat(),)


@pytest.mark.django_db
def test_a_wake_up_that_rings_early_waits_for_the_moment(db):
    pipeline = make_pipeline("punctual", [])
    s = services.schedule_create(pipeline=pipeline, cron="* * * * *", now=T0)
    moment = timezone.now() + timedelta(milliseconds=300)
    Schedule.objects.filter(pk=s.pk).update(next_fire_at=moment)

    counts = services.schedules_fire_due(at=moment)

    assert counts["started"] == 1
    run = Run.objects.get(pipeline=pipeline)
    assert moment <= run.created_at < moment + timedelta(seconds=1)
