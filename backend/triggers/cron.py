"""Cron expressions and fire times in an IANA time zone. Pure logic: no database.

Expressions have five fields (minute hour day-of-month month day-of-week) or
are one of the macros @hourly @daily @midnight @weekly @monthly @yearly
@annually; croniter parses them. Errors name the field that is wrong.

Fire times are matched on the zone's wall clock, following its daylight-saving
rules the way Vixie cron does:

- a wall-clock time skipped when clocks jump forward fires at the moment of the
  jump (02:30 on a spring-forward night fires at 03:00) for a schedule with a
  fixed hour; schedules whose hour field is `*` simply have no fires in the
  skipped hour;
- a wall-clock time that happens twice when clocks fall back fires once, at its
  first occurrence, for a fixed-hour schedule; an hour-`*` schedule (every few
  minutes, hourly) keeps firing through the repeated hour, so it never pauses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import CroniterBadDateError, croniter

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
FIELDS = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31"),
    ("month", "1-12 or JAN-DEC"),
    ("day-of-week", "0-7 or SUN-SAT, 0 and 7 are Sunday"),
)
# No real zone moves its clock by more than this at once; the search window around a transition.
MAX_SHIFT = timedelta(hours=3)
MAX_CANDIDATES = 5000


class CronError(ValueError):
    """An expression croniter cannot use; `field` is the field at fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ZoneError(ValueError):
    pass


@dataclass(frozen=True)
class Cron:
    expression: str  # normalized: five fields separated by single spaces
    hour_wildcard: bool


def parse(text: str) -> Cron:
    """The normalized expression, or CronError explaining which field is wrong and why."""
    if not isinstance(text, str) or not text.strip():
        raise CronError("cron: expected five fields: minute hour day-of-month month day-of-week (e.g. '*/15 * * * *').")
    raw = " ".join(text.split())
    expression = MACROS.get(raw.lower(), raw)
    if expression.startswith("@"):
        raise CronError(f"cron: unknown macro {raw!r}; use one of {', '.join(MACROS)} or five fields.")
    fields = expression.split(" ")
    if len(fields) != 5:
        extra = " (seconds and years are not supported)" if len(fields) in (6, 7) else ""
        raise CronError(
            f"cron: expected five fields (minute hour day-of-month month day-of-week), got {len(fields)}{extra}: {raw!r}."
        )
    for index, (name, allowed) in enumerate(FIELDS):
        probe = ["*"] * 5
        probe[index] = fields[index]
        if not _valid(" ".join(probe)):
            raise CronError(f"cron: the {name} field {fields[index]!r} is not valid (allowed: {allowed}, with , - / and *).", name)
    if not _valid(expression):
        raise CronError(f"cron: {raw!r} is not a valid expression.")
    cron = Cron(expression=expression, hour_wildcard=fields[1] == "*")
    try:
        croniter(expression, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        raise CronError(f"cron: {raw!r} never matches a real date (e.g. 30 February).", "day-of-month") from None
    return cron


def _valid(expression: str) -> bool:
    try:
        croniter(expression, datetime(2000, 1, 1))
    except (ValueError, KeyError, TypeError):  # croniter's errors derive from ValueError
        return False
    return True


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name` (e.g. "Europe/Berlin"); ZoneError if there is none."""
    if not isinstance(name, str) or not name or name.startswith(("/", ".")) or ".." in name or len(name) > 64:
        raise ZoneError(f"timezone: {name!r} is not an IANA time zone name (e.g. 'UTC', 'Europe/Berlin').")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _suggest(name)
        raise ZoneError(
            f"timezone: unknown time zone {name!r}" + (f"; did you mean {hint!r}?" if hint else " (use an IANA name such as 'Europe/Berlin').")
        ) from None


def _suggest(name: str) -> str | None:
    lowered = name.lower()
    for candidate in sorted(available_timezones()):
        if candidate.lower() == lowered or candidate.lower().endswith("/" + lowered):
            return candidate
    return None


# --------------------------------------------------------------------------- fire times


def next_fire_time(cron: Cron, tz: ZoneInfo, after: datetime) -> datetime:
    """The first fire time strictly after `after` (aware), in UTC."""
    after = after.astimezone(UTC)
    near = _near_transition(after, tz)
    wall = after.astimezone(tz).replace(tzinfo=None)
    start = wall - MAX_SHIFT if near else wall
    candidates = croniter(cron.expression, start)
    best: datetime | None = None
    stop_after: datetime | None = None
    for _ in range(MAX_CANDIDATES):
        try:
            naive = candidates.get_next(datetime)
        except CroniterBadDateError:
            break
        if stop_after is not None and naive > stop_after:
            break
        for instant in _instants(naive, tz, cron.hour_wildcard):
            if instant > after and (best is None or instant < best):
                best = instant
        if best is not None and stop_after is None:
            # Near a transition a later wall-clock time can be an earlier instant; look a little further.
            local = best.astimezone(tz).replace(tzinfo=None)
            stop_after = local + MAX_SHIFT if (near or _near_transition(best, tz)) else local
    if best is None:
        raise CronError(f"cron: {cron.expression!r} has no fire time after {after.isoformat()}.")
    return best


def fire_times(cron: Cron, tz: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Fire times after `after`, in order, forever."""
    current = after
    while True:
        current = next_fire_time(cron, tz, current)
        yield current


def _near_transition(instant: datetime, tz: ZoneInfo) -> bool:
    offsets = {(instant + delta).astimezone(tz).utcoffset() for delta in (-MAX_SHIFT, timedelta(0), MAX_SHIFT)}
    return len(offsets) > 1


def _instants(naive: datetime, tz: ZoneInfo, hour_wildcard: bool) -> list[datetime]:
    """The UTC instants at which the wall-clock time `naive` fires in `tz` (see the module docstring)."""
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    exists = first.astimezone(tz).replace(tzinfo=None) == naive
    if not exists:
        # In a gap, fold=1 reads the time with the offset after the jump (an instant
        # before it) and fold=0 with the offset before (an instant after it).
        return [] if hour_wildcard else [_transition(min(first, second), max(first, second), tz)]
    if first != second:
        return [first, second] if hour_wildcard else [min(first, second)]
    return [first]


def _transition(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The first instant in (low, high] with high's UTC offset: the moment the clock jumped."""
    target = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    # Transitions happen on whole seconds and low < T <= high < T + 1s, so T is high rounded down.
    return high.replace(microsecond=0)
