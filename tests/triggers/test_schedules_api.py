"""Schedules over HTTP: created, previewed, paused, edited, deleted; bad input is a 4xx naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from pipelines.models import Pipeline, PipelineVersion
from tests.engine.conftest import make_pipeline
from triggers.models import Schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db):
    return make_pipeline("nightly", [], parameters=[{"name": "trees", "type": "Integer", "default": 100}])


def create(api, **body):
    return api.post("/api/schedules/", body, format="json")


def test_it_creates_a_schedule_with_its_next_fire_times(api, pipeline):
    response = create(api, pipeline=pipeline.pk, cron="*/15 * * * *", name="quarterly-hourly", parameters={"trees": 5})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pipeline"] == pipeline.pk and body["pipeline_name"] == "nightly" and body["pipeline_version"] is None
    assert body["cron"] == "*/15 * * * *" and body["timezone"] == "UTC" and body["enabled"] is True
    assert body["catchup"] == "skip" and body["max_catchup"] == 10 and body["max_concurrent_runs"] == 10
    assert body["parameters"] == {"trees": 5} and body["created_by"] == "alice"
    times = [datetime.fromisoformat(t) for t in body["next_fire_times"]]
    assert len(times) == 5 and all(t.minute % 15 == 0 and t.second == 0 for t in times)
    assert all(b - a == timedelta(minutes=15) for a, b in zip(times, times[1:], strict=False))
    next_fire = datetime.fromisoformat(body["next_fire_at"])
    assert next_fire == times[0] and timezone.now() < next_fire <= timezone.now() + timedelta(minutes=15)


def test_fire_times_are_shown_in_the_schedules_zone(api, pipeline):
    body = create(api, pipeline=pipeline.pk, cron="0 9 * * 1-5", timezone="Asia/Kolkata").json()

    for text in body["next_fire_times"]:
        local = datetime.fromisoformat(text)
        assert text.endswith("+05:30") and (local.hour, local.minute) == (9, 0) and local.weekday() < 5


def test_a_version_can_be_pinned(api, pipeline):
    PipelineVersion.objects.create(pipeline=pipeline, number=2, graph={"schema_version": 1, "nodes": []}, digest="y")

    body = create(api, pipeline=pipeline.pk, cron="@daily", pipeline_version=1).json()

    assert body["pipeline_version"] == 1 and body["cron"] == "0 0 * * *"


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"cron": "0 25 * * *"}, "cron", "hour field '25'"),
        ({"cron": "* * * * * *"}, "cron", "five fields"),
        ({"cron": ""}, "cron", "five fields"),
        ({"cron": "0 0 31 2 *"}, "cron", "never matches"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "unknown time zone"),
        ({"timezone": "CEST"}, "timezone", "unknown time zone"),
        ({"pipeline_version": 9}, "pipeline_version", "no version 9"),
        ({"parameters": {"trees": "many"}}, "parameters.trees", "Integer"),
        ({"parameters": {"depth": 3}}, "parameters.depth", "no parameter 'depth'"),
        ({"catchup": "sometimes"}, "catchup", ""),
        ({"max_catchup": 1000}, "max_catchup", ""),
        ({"max_concurrent_runs": 0}, "max_concurrent_runs", ""),
        ({"pipeline": 999999}, "pipeline", "does not exist"),
        ({"every": "day"}, "every", "unknown field"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_created(api, pipeline, body, field, fragment):
    response = create(api, **{"pipeline": pipeline.pk, "cron": "* * * * *", **body})

    assert response.status_code == 400, response.json()
    problems = response.json()["problems"]
    assert field in [p.get("field") for p in problems], problems
    assert fragment in response.json()["message"]
    assert Schedule.objects.count() == 0


def test_a_pipeline_without_a_saved_version_cannot_be_scheduled(api):
    empty = Pipeline.objects.create(name="draft")

    response = create(api, pipeline=empty.pk, cron="@hourly")

    assert response.status_code == 400 and "no saved version" in response.json()["message"]
    assert Schedule.objects.count() == 0


def test_pausing_clears_the_next_fire_time_and_resuming_recomputes_it(api, pipeline):
    schedule = create(api, pipeline=pipeline.pk, cron="*/5 * * * *").json()

    paused = api.patch(f"/api/schedules/{schedule['id']}/", {"enabled": False}, format="json").json()
    assert paused["enabled"] is False and paused["next_fire_at"] is None and paused["next_fire_times"] == []

    resumed = api.patch(f"/api/schedules/{schedule['id']}/", {"enabled": True}, format="json").json()
    assert resumed["enabled"] is True
    assert timezone.now() < datetime.fromisoformat(resumed["next_fire_at"]) <= timezone.now() + timedelta(minutes=5)


def test_changing_the_cron_or_zone_recomputes_the_next_fire_time(api, pipeline):
    schedule = create(api, pipeline=pipeline.pk, cron="0 0 1 1 *").json()

    changed = api.patch(f"/api/schedules/{schedule['id']}/", {"cron": "* * * * *"}, format="json").json()
    assert datetime.fromisoformat(changed["next_fire_at"]) <= timezone.now() + timedelta(minutes=1)

    zoned = api.patch(f"/api/schedules/{schedule['id']}/", {"cron": "0 3 * * *", "timezone": "Europe/Berlin"}, format="json").json()
    assert all(datetime.fromisoformat(t).hour == 3 for t in zoned["next_fire_times"])


def test_a_bad_edit_is_refused_and_changes_nothing(api, pipeline):
    schedule = create(api, pipeline=pipeline.pk, cron="*/5 * * * *").json()

    response = api.patch(f"/api/schedules/{schedule['id']}/", {"cron": "*/5 * * *", "name": "renamed"}, format="json")

    assert response.status_code == 400 and response.json()["problems"][0]["field"] == "cron"
    assert api.get(f"/api/schedules/{schedule['id']}/").json() == schedule


def test_it_lists_filters_and_deletes(api, pipeline):
    other = make_pipeline("other", [])
    first = create(api, pipeline=pipeline.pk, cron="@hourly").json()
    create(api, pipeline=other.pk, cron="@daily")

    assert [s["id"] for s in api.get(f"/api/schedules/?pipeline={pipeline.pk}").json()["results"]] == [first["id"]]
    assert api.get("/api/schedules/").json()["count"] == 2
    assert api.delete(f"/api/schedules/{first['id']}/").status_code == 204
    assert api.get(f"/api/schedules/{first['id']}/").status_code == 404


def test_the_preview_shows_the_next_five_fire_times_for_the_editor(api):
    response = api.get("/api/schedules/preview/", {"cron": "30 2 * * *", "timezone": "Europe/Berlin"})

    assert response.status_code == 200
    body = response.json()
    assert body["cron"] == "30 2 * * *" and body["timezone"] == "Europe/Berlin"
    assert len(body["next_fire_times"]) == 5
    for text in body["next_fire_times"]:
        local = datetime.fromisoformat(text)
        assert text[-6:] in ("+01:00", "+02:00") and (local.hour, local.minute) in ((2, 30), (3, 0))


@pytest.mark.parametrize(("query", "field"), [({"cron": "61 * * * *"}, "cron"), ({"cron": "* * * * *", "timezone": "Nowhere"}, "timezone")])
def test_the_preview_names_what_is_wrong(api, query, field):
    response = api.get("/api/schedules/preview/", query)

    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == field


def test_schedules_need_a_signed_in_user(anon):
    assert anon.get("/api/schedules/").status_code == 403
    assert anon.get("/api/schedules/preview/?cron=* * * * *").status_code == 403
