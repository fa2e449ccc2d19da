"""The beat tick, with the time injected: each fire time fires once, even with two ticks racing;
pausing stops it; catch-up policies after downtime; concurrency limits; edits apply at the next tick."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from pipelines.models import PipelineVersion
from runs.models import Run
from tests.engine.conftest import make_pipeline
from triggers import services
from triggers.models import ScheduleFiring

T0 = datetime(2030, 1, 7, 12, 0, 30, tzinfo=UTC)  # a Monday, half a minute past noon


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def minute(n: int) -> datetime:
    """The n-th minute boundary after T0."""
    return T0.replace(second=0) + timedelta(minutes=n)


def schedule(pipeline, cron="* * * * *", **options):  # type: ignore[no-untyped-def]
    return services.schedule_create(pipeline=pipeline, cron=cron, now=T0, **{"max_concurrent_runs": 100, **options})


def fired(s) -> list[datetime]:  # type: ignore[no-untyped-def]
    return list(ScheduleFiring.objects.filter(schedule=s, status="started").order_by("fire_time").values_list("fire_time", flat=True))


@pytest.mark.django_db
def test_a_schedule_fires_once_per_minute_with_the_run_recording_why(db):
    pipeline = make_pipeline("every minute", [])
    s = schedule(pipeline, name="heartbeat")
    assert s.next_fire_at == minute(1)

    for m in range(5):
        for second in range(0, 60, 5):  # a tick every five seconds
            services.schedules_tick(now=at(m, second))

    assert fired(s) == [minute(n) for n in range(1, 6)]
    runs = list(Run.objects.filter(pipeline=pipeline).order_by("id"))
    assert len(runs) == 5
    assert runs[0].trigger_kind == "schedule"
    assert runs[0].trigger == {"schedule": s.pk, "schedule_name": "heartbeat", "fire_time": minute(1).isoformat(), "timezone": "UTC"}
    s.refresh_from_db()
    assert s.next_fire_at == minute(6) and s.last_fire_at == minute(5)


@pytest.mark.django_db(transaction=True)
def test_two_tick_loops_racing_never_fire_anything_twice():
    pipeline = make_pipeline("raced", [])
    schedules = [schedule(pipeline, name=f"s{i}") for i in range(15)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def loop() -> None:
        try:
            for m in range(5):
                for second in range(0, 60, 10):
                    barrier.wait(timeout=30)  # both loops tick at the same instant
                    services.schedules_tick(now=at(m, second))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    for s in schedules:
        assert fired(s) == [minute(n) for n in range(1, 6)], s.name
    assert Run.objects.filter(pipeline=pipeline).count() == 15 * 5
    assert ScheduleFiring.objects.count() == 15 * 5


@pytest.mark.django_db
def test_a_fire_time_already_recorded_is_not_fired_again(db):
    pipeline = make_pipeline("dup", [])
    s = schedule(pipeline)
    ScheduleFiring.objects.create(schedule=s, fire_time=minute(1), status="started")

    counts = services.schedules_tick(now=at(1))

    assert counts.get("duplicate") == 1 and Run.objects.count() == 0
    s.refresh_from_db()
    assert s.next_fire_at == minute(2)


@pytest.mark.django_db
def test_pausing_stops_it_and_resuming_does_not_catch_up_the_pause(db):
    pipeline = make_pipeline("paused", [])
    s = schedule(pipeline, catchup="all")
    services.schedules_tick(now=at(1))
    services.schedule_update(schedule=s, changes={"enabled": False}, now=at(1, 10))

    for m in range(2, 6):
        services.schedules_tick(now=at(m))
    assert fired(s) == [minute(1)]

    services.schedule_update(schedule=s, changes={"enabled": True}, now=at(5, 10))
    services.schedules_tick(now=at(6))
    assert fired(s) == [minute(1), minute(6)]
    assert not ScheduleFiring.objects.filter(status="missed").exists()


def _downtime(pipeline, catchup: str, cron: str = "* * * * *", max_catchup: int = 10, back_at: datetime | None = None):  # type: ignore[no-untyped-def]
    """Fires at minute 1, then the scheduler is down until minute 11 + 10 s (fire times 2..11 due)."""
    s = schedule(pipeline, cron=cron, catchup=catchup, max_catchup=max_catchup)
    services.schedules_tick(now=at(1))
    services.schedules_tick(now=back_at or (minute(11) + timedelta(seconds=10)))
    s.refresh_from_db()
    return s


@pytest.mark.django_db
def test_catch_up_skip_drops_what_was_missed_and_runs_what_is_due_now(db):
    s = _downtime(make_pipeline("skip", []), "skip")

    assert fired(s) == [minute(1), minute(11)]
    missed = ScheduleFiring.objects.filter(schedule=s, status="missed").order_by("fire_time")
    assert [f.fire_time for f in missed] == [minute(n) for n in range(2, 11)]
    assert "catch-up policy 'skip'" in missed[0].detail
    assert s.next_fire_at == minute(12)


@pytest.mark.django_db
def test_catch_up_once_folds_the_missed_fire_times_into_one_run(db):
    s = _downtime(make_pipeline("once", []), "once")

    assert fired(s) == [minute(1), minute(10), minute(11)]
    catch_up = ScheduleFiring.objects.get(schedule=s, fire_time=minute(10))
    assert catch_up.detail == "catch-up run (catch-up policy 'once') for 9 missed fire times"
    assert catch_up.run.trigger["catch_up"] is True
    assert ScheduleFiring.objects.filter(schedule=s, status="missed").count() == 8


@pytest.mark.django_db
def test_catch_up_all_runs_each_missed_fire_time_up_to_the_bound(db):
    s = _downtime(make_pipeline("all", []), "all", max_catchup=5)

    assert fired(s) == [minute(1), *[minute(n) for n in range(6, 11)], minute(11)]
    assert [f for f in ScheduleFiring.objects.filter(schedule=s, status="missed").values_list("fire_time", flat=True).order_by("fire_time")] == [
        minute(n) for n in range(2, 6)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("catchup", "runs"), [("skip", 0), ("once", 1), ("all", 5)])
def test_after_a_long_downtime_with_nothing_due_now_each_policy_behaves(db, catchup, runs):
    pipeline = make_pipeline(f"hourly {catchup}", [])
    s = schedule(pipeline, cron="0 * * * *", catchup=catchup, max_catchup=10)  # first fire 13:00
    services.schedules_tick(now=datetime(2030, 1, 7, 17, 30, tzinfo=UTC))  # down through 13:00 .. 17:00

    assert len(fired(s)) == runs
    if catchup == "once":
        assert fired(s) == [datetime(2030, 1, 7, 17, 0, tzinfo=UTC)]
    s.refresh_from_db()
    assert s.next_fire_at == datetime(2030, 1, 7, 18, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_month_of_downtime_is_handled_quickly_and_bounded(db):
    import time

    s = schedule(make_pipeline("month", []), catchup="all", max_catchup=3)
    started = time.monotonic()

    counts = services.schedules_tick(now=at(60 * 24 * 30))

    assert time.monotonic() - started < 5
    assert counts["started"] == 4  # three catch-up runs and the one due now
    assert counts["missed"] > 40_000
    assert fired(s)[-1] == minute(60 * 24 * 30)
    assert ScheduleFiring.objects.filter(schedule=s, status="missed").count() < 20  # rows only for the newest


@pytest.mark.django_db
def test_the_concurrency_limit_skips_fires_while_runs_are_active(db):
    pipeline = make_pipeline("limited", [])
    s = schedule(pipeline, max_concurrent_runs=1)

    services.schedules_tick(now=at(1))
    services.schedules_tick(now=at(2))  # the first run is still pending: no worker in this test

    second = ScheduleFiring.objects.get(schedule=s, fire_time=minute(2))
    assert second.status == "skipped" and "max_concurrent_runs=1" in second.detail
    Run.objects.filter(pipeline=pipeline).update(status="completed")
    services.schedules_tick(now=at(3))
    assert fired(s) == [minute(1), minute(3)]


@pytest.mark.django_db
def test_editing_the_cron_takes_effect_at_the_next_tick(db):
    pipeline = make_pipeline("edited", [])
    s = schedule(pipeline, cron="0 * * * *")  # hourly: next at 13:00

    services.schedule_update(schedule=s, changes={"cron": "*/5 * * * *"}, now=at(1))
    for m in range(1, 12):
        services.schedules_tick(now=at(m))

    assert fired(s) == [minute(5), minute(10)]


@pytest.mark.django_db
def test_a_fire_whose_run_cannot_start_is_recorded_and_the_schedule_moves_on(db):
    pipeline = make_pipeline("changing", [])
    s = schedule(pipeline)
    PipelineVersion.objects.create(
        pipeline=pipeline, number=2, graph={"schema_version": 1, "nodes": []}, digest="v2",
        parameters=[{"name": "required", "type": "String"}],
    )

    services.schedules_tick(now=at(1))

    firing = ScheduleFiring.objects.get(schedule=s)
    assert firing.status == "failed" and "parameter 'required' is required" in firing.detail
    s.refresh_from_db()
    assert s.next_fire_at == minute(2) and Run.objects.count() == 0


@pytest.mark.django_db
def test_a_pinned_version_is_what_runs(db):
    pipeline = make_pipeline("pinned", [])
    PipelineVersion.objects.create(pipeline=pipeline, number=2, graph={"schema_version": 1, "nodes": []}, digest="v2")
    schedule(pipeline, pipeline_version=1)

    services.schedules_tick(now=at(1))

    assert Run.objects.get().pipeline_version.number == 1


@pytest.mark.django_db
def test_the_runs_api_shows_a_scheduled_runs_trigger(api):
    pipeline = make_pipeline("shown", [])
    s = schedule(pipeline, name="nightly")
    services.schedules_tick(now=at(1))

    listed = api.get("/api/runs/?trigger_kind=schedule").json()["results"]

    assert [r["trigger"] for r in listed] == [
        {"kind": "schedule", "schedule": s.pk, "schedule_name": "nightly", "fire_time": minute(1).isoformat(), "timezone": "UTC"}
    ]
    firings = api.get(f"/api/schedules/{s.pk}/firings/").json()["results"]
    assert [(f["fire_time"], f["status"], f["run"]) for f in firings] == [
        (minute(1).isoformat().replace("+00:00", "Z"), "started", listed[0]["id"])
    ]
