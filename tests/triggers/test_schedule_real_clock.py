"""One real-clock check: two Celery beat processes tick every 5 s (the default); a `* * * * *` schedule
fires at each of three minute boundaries, on the dot (the tick wakes a worker for it), exactly once
each, and its runs complete in Docker; paused through the API, it fires no more."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from runs.models import Run
from tests.engine.conftest import Worker, make_pipeline, node, wait_for_run
from tests.triggers.conftest import wait_until
from triggers.models import Schedule, ScheduleFiring

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker, pytest.mark.slow]

MINUTES = 3
# A fire's run is written this soon after its boundary: the tick before the boundary sent a wake-up
# with the boundary as its ETA, so the fire does not wait up to a tick period (5 s) for the next tick.
ON_TIME = timedelta(seconds=1.5)
# No fire may be later than one tick period past that (a wake-up lost to a loaded machine is made
# up by the next tick); the median must be on time.
TICK = timedelta(seconds=5)


@pytest.fixture
def two_beats(worker_env, tmp_path):  # type: ignore[no-untyped-def]
    env = {**worker_env, "STUDIO_SCHEDULE_TICK_SECONDS": str(int(TICK.total_seconds()))}
    # A beat's first tick comes one period after it starts: started a few seconds before a minute
    # boundary, nothing could send the wake-up for that boundary in time. Start just after one.
    now = timezone.now()
    to_boundary = 60 - now.second - now.microsecond / 1e6
    if to_boundary < 15:
        time.sleep(to_boundary + 0.5)
    beats = [Worker(env, tmp_path / f"beat-{i}.log", beat=True) for i in range(2)]
    try:
        for beat in beats:
            beat.start()
        yield beats
    finally:
        for beat in beats:
            beat.stop()
        # Ticks and reconciles the beats queued would otherwise race the database flush.
        from studio.celery import app

        app.control.purge()
        time.sleep(0.5)


def _until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()))


@pytest.mark.timeout(480)
def test_a_minutely_schedule_fires_once_per_minute_on_time_and_stops_when_paused(api, shell_component, two_beats):
    pipeline = make_pipeline("clock", [node("tick", shell_component, "import sys; open(sys.argv[1], 'w').write('tock')")])
    response = api.post("/api/schedules/", {"pipeline": pipeline.pk, "cron": "* * * * *", "name": "clock"}, format="json")
    assert response.status_code == 201, response.json()
    schedule_id = response.json()["id"]
    first = datetime.fromisoformat(response.json()["next_fire_at"])
    assert first.second == 0 and first - timezone.now() <= timedelta(minutes=1)
    boundaries = [first + timedelta(minutes=i) for i in range(MINUTES)]

    lateness = []
    for boundary in boundaries:
        firing = wait_until(lambda b=boundary: ScheduleFiring.objects.filter(schedule_id=schedule_id, fire_time=b).first(),
                            timeout=(boundary - timezone.now()).total_seconds() + 15, what=f"the fire at {boundary:%H:%M}")
        assert firing.status == "started", firing.detail
        run = Run.objects.get(pk=firing.run_id)
        lateness.append(run.created_at - boundary)
        # Never early, never more than a tick period late.
        assert timedelta(0) <= run.created_at - boundary < TICK + ON_TIME, (boundary, run.created_at - boundary)
        assert run.trigger["schedule"] == schedule_id and datetime.fromisoformat(run.trigger["fire_time"]) == boundary
        # Both beats keep ticking through the minute: still exactly one run since the boundary.
        assert Run.objects.filter(pipeline=pipeline).count() == len(lateness)
    print("lateness of the fires:", [f"{d.total_seconds():.3f}s" for d in lateness])
    assert sorted(lateness)[len(lateness) // 2] < ON_TIME, lateness

    # Paused right after the third fire: the next boundary passes without one.
    paused = api.patch(f"/api/schedules/{schedule_id}/", {"enabled": False}, format="json")
    assert paused.status_code == 200, paused.json()
    assert paused.json()["enabled"] is False and paused.json()["next_fire_at"] is None
    after = boundaries[-1] + timedelta(minutes=1)
    assert timezone.now() < after - timedelta(seconds=30), "paused too late to see the next boundary pass"
    _until(after + timedelta(seconds=12))  # past the boundary and two more ticks of each beat

    firings = list(ScheduleFiring.objects.filter(schedule_id=schedule_id).order_by("fire_time"))
    assert [(f.fire_time, f.status) for f in firings] == [(b, "started") for b in boundaries]
    runs = list(Run.objects.filter(pipeline=pipeline).order_by("id"))
    assert [r.pk for r in runs] == [f.run_id for f in firings]
    assert Schedule.objects.get(pk=schedule_id).next_fire_at is None
    for run in runs:
        assert wait_for_run(run.pk, timeout=60).status == "completed"
