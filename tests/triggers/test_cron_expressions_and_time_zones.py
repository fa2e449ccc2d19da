"""Cron parsing names the faulty field; fire times follow the zone's wall clock through DST."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from croniter import croniter

from triggers import cron


@pytest.mark.parametrize(
    ("expression", "field", "fragment"),
    [
        ("61 * * * *", "minute", "minute field '61'"),
        ("* 24 * * *", "hour", "hour field '24'"),
        ("* * 32 * *", "day-of-month", "day-of-month field '32'"),
        ("* * * 13 *", "month", "month field '13'"),
        ("* * * * 8", "day-of-week", "day-of-week field '8'"),
        ("*/0 * * * *", "minute", "minute field '*/0'"),
        ("0 0 30 2 *", "day-of-month", "never matches a real date"),
    ],
)
def test_it_names_the_field_that_is_wrong(expression, field, fragment):
    with pytest.raises(cron.CronError) as error:
        cron.parse(expression)
    assert error.value.field == field
    assert fragment in error.value.message


@pytest.mark.parametrize("expression", ["* * * * * *", "* * * *", "", "   "])
def test_it_wants_exactly_five_fields(expression):
    with pytest.raises(cron.CronError, match="five fields"):
        cron.parse(expression)


def test_it_accepts_macros_and_normalizes_spacing():
    assert cron.parse("@daily").expression == "0 0 * * *"
    assert cron.parse("  */15   *  * * 1-5 ").expression == "*/15 * * * 1-5"
    with pytest.raises(cron.CronError, match="unknown macro"):
        cron.parse("@often")


def test_unknown_zones_are_refused_with_a_hint():
    assert str(cron.zone("Europe/Berlin")) == "Europe/Berlin"
    with pytest.raises(cron.ZoneError, match="did you mean 'Europe/Berlin'"):
        cron.zone("Berlin")
    with pytest.raises(cron.ZoneError, match="unknown time zone 'Mars/Olympus'"):
        cron.zone("Mars/Olympus")
    with pytest.raises(cron.ZoneError):
        cron.zone("../../etc/passwd")


def _local(times, tz):
    return [t.astimezone(tz).strftime("%m-%d %H:%M%z") for t in times]


def _take(expression, zone, after, n):
    gen = cron.fire_times(cron.parse(expression), cron.zone(zone), after)
    return [next(gen) for _ in range(n)]


def test_a_daily_time_skipped_by_spring_forward_fires_when_the_clock_jumps():
    ny = cron.zone("America/New_York")
    times = _take("30 2 * * *", "America/New_York", datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert _local(times, ny) == ["03-08 03:00-0400", "03-09 02:30-0400", "03-10 02:30-0400"]


def test_a_daily_time_repeated_by_fall_back_fires_once():
    ny = cron.zone("America/New_York")
    times = _take("30 1 * * *", "America/New_York", datetime(2026, 10, 31, 12, tzinfo=UTC), 3)
    assert _local(times, ny) == ["11-01 01:30-0400", "11-02 01:30-0500", "11-03 01:30-0500"]


def test_an_hourly_schedule_fires_every_real_hour_through_both_transitions():
    spring = _take("30 * * * *", "America/New_York", datetime(2026, 3, 8, 5, tzinfo=UTC), 4)  # 00:00 EST
    assert [t.isoformat() for t in spring] == [
        "2026-03-08T05:30:00+00:00", "2026-03-08T06:30:00+00:00", "2026-03-08T07:30:00+00:00", "2026-03-08T08:30:00+00:00"
    ]  # 00:30 EST, 01:30 EST, 03:30 EDT, 04:30 EDT: the skipped 02:30 does not exist
    fall = _take("30 * * * *", "America/New_York", datetime(2026, 11, 1, 4, tzinfo=UTC), 4)  # 00:00 EDT
    gaps = {b - a for a, b in zip(fall, fall[1:], strict=False)}
    assert gaps == {timedelta(hours=1)}  # 01:30 EDT and 01:30 EST both fire


def test_fire_times_are_strictly_increasing_and_match_the_wall_clock_in_many_zones():
    rng = random.Random(7)
    zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "UTC"]
    expressions = ["*/7 * * * *", "0 */3 * * *", "15 2 * * *", "45 1 * * 0", "0 0 1 * *"]
    for _ in range(40):
        zone_name, expression = rng.choice(zones), rng.choice(expressions)
        tz = cron.zone(zone_name)
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        times = _take(expression, zone_name, start, 30)
        assert times[0] > start
        assert all(a < b for a, b in zip(times, times[1:], strict=False))
        for t in times:
            wall = t.astimezone(tz).replace(tzinfo=None)
            # Either the wall clock matches, or it is the jump after a skipped time.
            exact = croniter.match(expression, wall)
            assert exact or tz.utcoffset(t - timedelta(seconds=1)) != tz.utcoffset(t), (zone_name, expression, t)


def test_a_fire_time_is_never_before_the_reference_even_inside_a_repeated_hour():
    ny = cron.zone("America/New_York")
    second_0130 = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the repeated one
    nxt = cron.next_fire_time(cron.parse("*/10 * * * *"), ny, second_0130)
    assert nxt == second_0130 + timedelta(minutes=10)
