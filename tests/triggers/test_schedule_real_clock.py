"""One real-clock check: two Celery beat processes tick every 5 s (the default); a `* * * * *` schedule
fires at the next minute boundary, on the dot (the tick wakes a worker for it), once, and its run
completes in Docker."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from runs.models import Run
from tests.engine.conftest import Worker, make_pipeline, node, wait_for_run
from tests.triggers.conftest import wait_until
from triggers.models import ScheduleFiring

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def two_beats(worker_env, tmp_path):  # type: ignore[no-untyped-def]
    env = {**worker_env, "STUDIO_SCHEDULE_TICK_SECONDS": "5"}
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


def test_a_minutely_schedule_fires_at_the_minute_boundary_once(api, shell_component, two_beats):
    pipeline = make_pipeline("clock", [node("tick", shell_component, "import sys; open(sys.argv[1], 'w').write('tock')")])
    response = api.post("/api/schedules/", {"pipeline": pipeline.pk, "cron": "* * * * *", "name": "clock"}, format="json")
    assert response.status_code == 201, response.json()
    boundary = datetime.fromisoformat(response.json()["next_fire_at"])
    assert boundary.second == 0 and boundary - timezone.now() <= timedelta(minutes=1)

    firing = wait_until(lambda: ScheduleFiring.objects.filter(status="started").first(), timeout=75)
    started_at = Run.objects.get(pk=firing.run_id).created_at

    assert firing.fire_time == boundary
    # Not up to a tick period late: the tick before the boundary sent a wake-up for it.
    assert timedelta(0) <= started_at - boundary < timedelta(seconds=1.5), started_at - boundary
    run = wait_for_run(firing.run_id, timeout=60)
    assert run.status == "completed" and run.trigger["schedule"] == response.json()["id"]
    time.sleep(6)  # both beats keep ticking: still exactly one fire for that minute
    assert ScheduleFiring.objects.filter(fire_time=boundary).count() == 1
    assert Run.objects.filter(pipeline=pipeline, created_at__lt=boundary + timedelta(seconds=59)).count() == 1
