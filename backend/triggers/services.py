"""Starting runs without a person: cron schedules, dataset-version triggers, metric triggers.

Every fire is recorded in a firing row whose unique constraint, not the
broker, guarantees it happens once: (schedule, fire time), (trigger, dataset
version), (trigger, source run). The row and the run it starts are written in
one transaction, so a crash leaves neither and the next attempt redoes both.

The beat tick (`triggers_tick`, task `triggers.tick`) claims due schedules in
batches with `SELECT ... FOR UPDATE SKIP LOCKED`, one transaction per batch, so
any number of beat processes can tick at once without firing anything twice. So
that schedules fire on the dot rather than at the next tick, it also sends
`triggers.fire_schedules` with the next fire time as its ETA, to several worker
threads when many schedules are due (`schedules_wake_up`). It also repairs what
lost messages left behind: debounced dataset firings that are due, dataset
versions whose commit event never arrived, completed runs whose metric triggers
were never evaluated.

Every function that depends on the time takes `now` so tests can inject it.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone as dj_timezone

from catalog import types as ctypes
from datasets import store
from datasets.models import Dataset, DatasetVersion
from pipelines import graph as graph_lib
from pipelines.models import Pipeline, PipelineVersion
from runs import services as run_services
from runs.models import Artifact, Run, RunStatus, TriggerKind
from studio.errors import InvalidInput, NotFound, Problem, StudioError
from triggers import cron as cron_lib
from triggers.models import (
    CatchUp,
    Comparison,
    DatasetTrigger,
    DatasetTriggerFiring,
    FiringStatus,
    MetricTrigger,
    MetricTriggerFiring,
    Schedule,
    ScheduleFiring,
)

logger = logging.getLogger(__name__)

ACTIVE_RUN = (RunStatus.PENDING, RunStatus.RUNNING)
# Fire times enumerated one by one after a downtime before jumping ahead (a week of a
# once-a-minute schedule is 10,080 fire times; only the newest `max_catchup` matter).
ENUMERATION_LIMIT = 2000
MAX_CATCHUP_LIMIT = 100
MAX_CONCURRENT_LIMIT = 100
MAX_DEBOUNCE_SECONDS = 7 * 24 * 3600
# A commit or run-finished event not handled this long after the fact is presumed lost.
LOST_EVENT_SECONDS = 30
METRIC_OUTPUT_TYPES = (None, "Metrics", "JSON", "File")  # node.output.key reads a JSON object
METRIC_SCALAR_TYPES = ("Float", "Integer")  # node.output reads the number itself


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(name, getattr(settings, name, default)))


def tick_seconds() -> float:
    return _setting("STUDIO_SCHEDULE_TICK_SECONDS", 5)


def batch_size() -> int:
    """Schedules claimed and fired per transaction."""
    return max(1, int(_setting("STUDIO_SCHEDULE_BATCH", 250)))


def fan_out() -> int:
    """Most worker threads that share the schedules due at one moment (each claims its own batches)."""
    return max(1, int(_setting("STUDIO_SCHEDULE_FAN_OUT", 4)))


def grace_seconds() -> float:
    """A due fire time at most this old is on time (a late tick); older ones were missed (downtime)."""
    return _setting("STUDIO_SCHEDULE_GRACE_SECONDS", 60)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else dj_timezone.now()


def _user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        message = problems[0].message + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        raise InvalidInput(message, problems)


def _pipeline_version(pipeline: Pipeline, number: int | None, field: str = "pipeline_version") -> tuple[PipelineVersion | None, list[Problem]]:
    """The pinned version (number given) or the newest one."""
    if number is None:
        latest = pipeline.versions.order_by("-number").first()
        if latest is None:
            return None, [Problem("no_version", f"pipeline: '{pipeline.name}' has no saved version yet.", field="pipeline")]
        return latest, []
    version = pipeline.versions.filter(number=number).first()
    if version is None:
        return None, [Problem("not_found", f"{field}: pipeline '{pipeline.name}' has no version {number}.", field=field)]
    return version, []


def _parameter_problems(version: PipelineVersion | None, parameters: Any, field: str = "parameters") -> list[Problem]:
    if not isinstance(parameters, dict):
        return [Problem("invalid", f"{field}: expected an object of parameter values.", field=field)]
    if version is None:
        return []
    try:
        run_services.resolve_parameters(version.parameters or [], parameters)
    except InvalidInput as exc:
        return [
            Problem(p.code, f"{field}: {p.message}", field=(p.field or "").replace("parameters", field, 1) or field)
            for p in exc.problems
        ]
    return []


def _record(model: Any, **fields: Any) -> Any | None:
    """Inserts a firing row, or returns None when its unique key is taken (a duplicate event)."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


# =========================================================================== schedules


def _reject_unknown_fields(changes: Mapping[str, Any], fields: Sequence[str], message: str) -> None:
    unknown = set(changes) - set(fields)
    if unknown:
        _raise_if([Problem("unknown_field", f"{name}: {message}", field=name) for name in sorted(unknown)])


def _lock_or_not_found(model: Any, pk: int, what: str) -> Any:
    """The row under a lock (inside the caller's transaction), or NotFound naming it."""
    locked = model.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(f"{what[0].upper()}{what[1:]} {pk} does not exist.", [Problem("not_found", f"{what} {pk} does not exist")])
    return locked


def _cron_problems(cron: Any, timezone: Any) -> tuple[cron_lib.Cron | None, ZoneInfo | None, list[Problem]]:
    problems: list[Problem] = []
    parsed = zone = None
    try:
        parsed = cron_lib.parse(cron)
    except cron_lib.CronError as exc:
        problems.append(Problem("invalid_cron", exc.message, field="cron"))
    try:
        zone = cron_lib.zone(timezone)
    except cron_lib.ZoneError as exc:
        problems.append(Problem("unknown_timezone", str(exc), field="timezone"))
    return parsed, zone, problems


def schedule_preview(*, cron: str, timezone: str = "UTC", count: int = 5, now: datetime | None = None) -> list[datetime]:
    """The next `count` fire times after now, in the schedule's zone (for the editor)."""
    parsed, zone, problems = _cron_problems(cron, timezone)
    _raise_if(problems)
    assert parsed is not None and zone is not None
    times = cron_lib.fire_times(parsed, zone, _now(now))
    return [next(times).astimezone(zone) for _ in range(max(1, min(count, 50)))]


def schedule_next_fire_times(*, schedule: Schedule, count: int = 5, now: datetime | None = None) -> list[datetime]:
    """Upcoming fire times of a stored schedule ([] while paused), in its zone."""
    if not schedule.enabled or schedule.next_fire_at is None:
        return []
    try:
        parsed, zone = cron_lib.parse(schedule.cron), cron_lib.zone(schedule.timezone)
    except ValueError:
        return []
    # An overdue next_fire_at (the tick has not come yet) still fires, so it is listed first.
    first = schedule.next_fire_at
    result = [first.astimezone(zone)]
    times = cron_lib.fire_times(parsed, zone, first)
    while len(result) < count:
        result.append(next(times).astimezone(zone))
    return result


SCHEDULE_FIELDS = ("name", "pipeline", "pipeline_version", "cron", "timezone", "parameters", "enabled", "catchup", "max_catchup", "max_concurrent_runs")


def _schedule_problems(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Checks a complete set of schedule fields; returns the model values (version resolved) and problems."""
    problems: list[Problem] = []
    pipeline: Pipeline = values["pipeline"]
    parsed, zone, cron_problems = _cron_problems(values["cron"], values["timezone"])
    problems += cron_problems
    number = values.get("pipeline_version")
    version, version_problems = _pipeline_version(pipeline, number)
    problems += version_problems
    problems += _parameter_problems(version, values.get("parameters"))
    if values.get("catchup") not in CatchUp.values:
        problems.append(Problem("invalid_choice", f"catchup: expected one of {', '.join(CatchUp.values)}.", field="catchup"))
    for name, limit in (("max_catchup", MAX_CATCHUP_LIMIT), ("max_concurrent_runs", MAX_CONCURRENT_LIMIT)):
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            problems.append(Problem("out_of_range", f"{name}: expected a whole number from 1 to {limit}.", field=name))
    if len(values.get("name") or "") > 200:
        problems.append(Problem("too_long", "name: at most 200 characters.", field="name"))
    model_values = {
        "name": values.get("name") or "",
        "pipeline": pipeline,
        "pipeline_version": version if number is not None else None,
        "cron": parsed.expression if parsed else values["cron"],
        "timezone": values["timezone"],
        "parameters": values.get("parameters") or {},
        "enabled": bool(values.get("enabled", True)),
        "catchup": values.get("catchup"),
        "max_catchup": values.get("max_catchup"),
        "max_concurrent_runs": values.get("max_concurrent_runs"),
    }
    return model_values, problems


def schedule_create(
    *,
    pipeline: Pipeline,
    cron: str,
    timezone: str = "UTC",
    parameters: dict[str, Any] | None = None,
    pipeline_version: int | None = None,
    enabled: bool = True,
    catchup: str = CatchUp.SKIP,
    max_catchup: int = 10,
    max_concurrent_runs: int = 10,
    name: str = "",
    user: Any = None,
    now: datetime | None = None,
) -> Schedule:
    values, problems = _schedule_problems({
        "name": name, "pipeline": pipeline, "pipeline_version": pipeline_version, "cron": cron, "timezone": timezone,
        "parameters": {} if parameters is None else parameters, "enabled": enabled, "catchup": catchup,
        "max_catchup": max_catchup, "max_concurrent_runs": max_concurrent_runs,
    })
    _raise_if(problems)
    values["next_fire_at"] = _first_fire(values, _now(now)) if values["enabled"] else None
    return Schedule.objects.create(**values, created_by=_user(user))


def _first_fire(values: Mapping[str, Any], now: datetime) -> datetime:
    return cron_lib.next_fire_time(cron_lib.parse(values["cron"]), cron_lib.zone(values["timezone"]), now)


def schedule_update(*, schedule: Schedule, changes: Mapping[str, Any], now: datetime | None = None) -> Schedule:
    """Applies `changes` (any of SCHEDULE_FIELDS; pipeline_version as a number or None). A changed cron or
    zone, or resuming, recomputes the next fire time from now: the change counts from the next tick.
    Resuming does not catch up what the pause skipped."""
    _reject_unknown_fields(changes, SCHEDULE_FIELDS, "not a schedule field.")
    with transaction.atomic():
        locked = _lock_or_not_found(Schedule, schedule.pk, "schedule")
        current = {
            "name": locked.name, "pipeline": locked.pipeline, "cron": locked.cron, "timezone": locked.timezone,
            "pipeline_version": locked.pipeline_version.number if locked.pipeline_version_id else None,
            "parameters": locked.parameters, "enabled": locked.enabled, "catchup": locked.catchup,
            "max_catchup": locked.max_catchup, "max_concurrent_runs": locked.max_concurrent_runs,
        }
        if "pipeline" in changes and changes["pipeline"] != locked.pipeline and "pipeline_version" not in changes:
            current["pipeline_version"] = None  # a version number means nothing for another pipeline
        merged = {**current, **changes}
        values, problems = _schedule_problems(merged)
        _raise_if(problems)
        timing_changed = values["cron"] != locked.cron or values["timezone"] != locked.timezone
        resumed = values["enabled"] and not locked.enabled
        for key, value in values.items():
            setattr(locked, key, value)
        if not locked.enabled:
            locked.next_fire_at = None
        elif timing_changed or resumed or locked.next_fire_at is None:
            locked.next_fire_at = _first_fire(values, _now(now))
        locked.save()
    return locked


def schedule_delete(*, schedule: Schedule) -> None:
    Schedule.objects.filter(pk=schedule.pk).delete()


def schedules_tick(*, now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Fires every due schedule once per due fire time, per its catch-up policy; advances next_fire_at.

    Due schedules are claimed in batches of `batch_size()` (FOR UPDATE SKIP LOCKED, one
    transaction per batch), so concurrent ticks share the work and never handle one schedule
    twice; the unique (schedule, fire_time) firing row backs that up. A batch's runs, firing
    rows and next fire times are written with a few bulk statements. If a batch fails as a
    whole, its schedules are redone one at a time (still under the claim), so one broken
    schedule never stops the others; it is retried at the next tick. `limit` bounds the
    schedules one call handles; the next tick takes the rest.
    """
    tick = _Tick(now=_now(now))
    size = batch_size()
    handled = 0
    try:
        while handled < limit:
            with transaction.atomic():
                # of=("self",): lock the schedules only, not their pipelines (shared by many schedules).
                batch = list(
                    Schedule.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("pipeline", "pipeline_version")
                    .filter(enabled=True, next_fire_at__lte=tick.now)
                    .exclude(pk__in=tick.broken)
                    .order_by("next_fire_at", "id")[: min(size, limit - handled)]
                )
                if not batch:
                    break
                handled += len(batch)
                if not tick.fire(batch) and len(batch) > 1:
                    for schedule in batch:
                        tick.fire([schedule])
    finally:
        # Sending a message costs about as much as writing a run, and the workers that take them
        # share the CPU with this tick: every due run is written first, then they all start.
        run_services.runs_enqueue(run_ids=tick.started)
    return dict(tick.counts)


@dataclass
class _Tick:
    now: datetime
    counts: Counter[str] = field(default_factory=Counter)
    broken: list[int] = field(default_factory=list)  # schedules that failed; the next tick retries them
    started: list[int] = field(default_factory=list)  # runs of committed batches, to enqueue

    def fire(self, schedules: list[Schedule]) -> bool:
        """Fires claimed schedules in a savepoint; False, with nothing written, if that failed."""
        try:
            with transaction.atomic():
                self.counts.update(_schedules_fire(schedules, self.now, self.broken, self.started))
            return True
        except Exception:
            if len(schedules) > 1:
                logger.exception("a batch of %d schedules failed; firing them one at a time", len(schedules))
            else:
                logger.exception("schedule %s: tick failed", schedules[0].pk)
                self.broken.append(schedules[0].pk)
                self.counts["errors"] += 1
            return False


@dataclass(frozen=True)
class _Due:
    """What one tick does for one schedule: fire times to record as missed, fire times to fire
    (with whether each is a catch-up run) and the next fire time."""

    schedule: Schedule
    dropped: list[datetime]
    fire: list[tuple[datetime, bool]]
    missed: int  # missed fire times not run, counting those passed over by a jump
    caught_up: int  # missed fire times one catch-up run stands for
    next_fire_at: datetime


@functools.lru_cache(maxsize=256)
def _cron(expression: str, timezone: str) -> tuple[cron_lib.Cron, ZoneInfo]:
    return cron_lib.parse(expression), cron_lib.zone(timezone)


@functools.lru_cache(maxsize=4096)
def _next_fire(parsed: cron_lib.Cron, zone: ZoneInfo, after: datetime) -> datetime:
    # Pure, and a thousand schedules with one cron share their fire times: computed once.
    return cron_lib.next_fire_time(parsed, zone, after)


def _schedule_due(schedule: Schedule, now: datetime) -> _Due:
    parsed, zone = _cron(schedule.cron, schedule.timezone)
    keep = max(schedule.max_catchup, 1) + 5
    due: deque[datetime] = deque(maxlen=keep)
    total = 0  # due fire times, counting those passed over by a jump
    current = schedule.next_fire_at
    assert current is not None
    first = current
    while current <= now:
        total += 1
        due.append(current)
        if total == ENUMERATION_LIMIT:
            # A long downtime: jump to just before the newest fire times instead of walking them all.
            average = (current - first) / max(total - 1, 1)
            resume = now - average * (keep + 2)
            if resume > current:
                total += int((resume - current) / average) if average else 0  # an estimate; they are not recorded
                current = _next_fire(parsed, zone, resume)
                continue
        current = _next_fire(parsed, zone, current)

    grace = timedelta(seconds=grace_seconds())
    times = list(due)
    on_time = [t for t in times if now - t <= grace]
    missed = [t for t in times if now - t > grace]
    missed_count = total - len(on_time)
    if schedule.catchup == CatchUp.ALL:
        catch_up, dropped = missed[-schedule.max_catchup:], missed[:-schedule.max_catchup]
    elif schedule.catchup == CatchUp.ONCE:
        catch_up, dropped = missed[-1:], missed[:-1]
    else:
        catch_up, dropped = [], missed
    return _Due(
        schedule=schedule,
        dropped=dropped,  # only the newest missed fire times get a row; the count covers them all
        fire=[(t, True) for t in catch_up] + [(t, False) for t in on_time],
        missed=missed_count - len(catch_up),
        caught_up=missed_count if schedule.catchup == CatchUp.ONCE else 1,
        next_fire_at=current,
    )


def _schedules_fire(schedules: list[Schedule], now: datetime, broken: list[int], started: list[int]) -> Counter[str]:
    """Fires the due fire times of claimed (locked) schedules together: firing rows, runs (one
    input resolution per distinct pipeline version and parameters) and next fire times in bulk.
    The new runs' ids go to `started` once the transaction commits, for the caller to enqueue."""
    counts: Counter[str] = Counter()
    plans: list[_Due] = []
    for schedule in schedules:
        try:
            plans.append(_schedule_due(schedule, now))
        except Exception:
            # A stored cron or zone this build cannot read; the others go on.
            logger.exception("schedule %s: tick failed", schedule.pk)
            broken.append(schedule.pk)
            counts["errors"] += 1
    if not plans:
        return counts
    ids = [plan.schedule.pk for plan in plans]
    times = {t for plan in plans for t in [*plan.dropped, *(t for t, _ in plan.fire)]}
    # The schedules are locked, so nothing records their fire times meanwhile; the unique
    # constraint still refuses a second row (the batch then fails and is redone one by one).
    taken = set(ScheduleFiring.objects.filter(schedule_id__in=ids, fire_time__in=times).values_list("schedule_id", "fire_time"))
    firing = [plan for plan in plans if any((plan.schedule.pk, t) not in taken for t, _ in plan.fire)]
    active = dict(
        ScheduleFiring.objects.filter(schedule_id__in=[p.schedule.pk for p in firing], status=FiringStatus.STARTED, run__status__in=ACTIVE_RUN)
        .values("schedule_id").annotate(n=Count("id")).values_list("schedule_id", "n")
    )
    inputs = dict(zip(
        [plan.schedule.pk for plan in firing],
        run_services.run_inputs_resolve(requests=[
            run_services.RunInputRequest(pipeline=p.schedule.pipeline, version=p.schedule.pipeline_version, parameters=p.schedule.parameters)
            for p in firing
        ]),
        strict=True,
    ))

    rows: list[ScheduleFiring] = []
    new_runs: list[run_services.NewRun] = []
    waiting: list[ScheduleFiring] = []  # started firings, in new_runs' order
    advance: dict[tuple[datetime, datetime | None], list[int]] = {}
    for plan in plans:
        schedule = plan.schedule
        policy = f"catch-up policy '{schedule.catchup}'"
        rows += [
            ScheduleFiring(schedule=schedule, fire_time=t, status=FiringStatus.MISSED, detail=f"missed while the scheduler was not running ({policy})")
            for t in plan.dropped
            if (schedule.pk, t) not in taken
        ]
        counts["missed"] += plan.missed
        running = active.get(schedule.pk, 0)
        last_fired = None
        for fire_time, late in plan.fire:
            if (schedule.pk, fire_time) in taken:
                counts["duplicate"] += 1
                continue
            last_fired = fire_time
            checked = inputs[schedule.pk]
            row = ScheduleFiring(schedule=schedule, fire_time=fire_time)
            rows.append(row)
            if running >= schedule.max_concurrent_runs:
                row.status = FiringStatus.SKIPPED
                row.detail = f"{running} run(s) of this schedule still active (max_concurrent_runs={schedule.max_concurrent_runs})"
                counts["skipped"] += 1
            elif isinstance(checked, StudioError):
                row.status, row.detail = FiringStatus.FAILED, checked.message[:4000]
                counts["failed"] += 1
            else:
                row.status = FiringStatus.STARTED
                if late:
                    row.detail = f"catch-up run ({policy}) for {plan.caught_up} missed fire time{'s' if plan.caught_up != 1 else ''}"
                new_runs.append(run_services.NewRun(
                    input=checked,
                    trigger_kind=TriggerKind.SCHEDULE,
                    trigger={
                        "schedule": schedule.pk,
                        "schedule_name": schedule.name,
                        "fire_time": fire_time.isoformat(),
                        "timezone": schedule.timezone,
                        **({"catch_up": True} if late else {}),
                    },
                ))
                waiting.append(row)
                running += 1
                counts["started"] += 1
        advance.setdefault((plan.next_fire_at, last_fired or schedule.last_fire_at), []).append(schedule.pk)

    runs = run_services.run_create_many(runs=new_runs, enqueue=False)
    for row, run in zip(waiting, runs, strict=True):
        row.run = run
    # Only a committed batch's runs exist to be enqueued (a failed batch is redone one by one).
    transaction.on_commit(functools.partial(started.extend, [run.pk for run in runs]))
    ScheduleFiring.objects.bulk_create(rows)
    for (next_fire_at, last_fire_at), pks in advance.items():
        Schedule.objects.filter(pk__in=pks).update(next_fire_at=next_fire_at, last_fire_at=last_fire_at)
    return counts


def schedules_wake_up(*, now: datetime | None = None) -> int:
    """Makes the next schedules due within two tick periods fire at their moment, not at the
    tick after it: sends `triggers.fire_schedules` with that moment as its ETA, one message per
    batch of schedules due then (at most `fan_out()`), so several worker threads share them, each
    claiming its own batches. Each (fire time, thread) message goes out once however many ticks
    or beat processes ask (a marker in Redis). Returns the number of messages sent."""
    now = _now(now)
    period = tick_seconds()
    # Only the future: what is due already is the tick's (and a schedule that keeps failing
    # stays due; it must not hide the fire times after it).
    at = (
        Schedule.objects.filter(enabled=True, next_fire_at__gt=now, next_fire_at__lte=now + timedelta(seconds=2 * period))
        .order_by("next_fire_at").values_list("next_fire_at", flat=True).first()
    )
    if at is None:
        return 0
    due = Schedule.objects.filter(enabled=True, next_fire_at__gt=now, next_fire_at__lte=at).count()
    sent = 0
    for slot in range(min(math.ceil(due / batch_size()), fan_out())):
        if _mark_once(f"triggers:wake:{at.isoformat()}:{slot}", seconds=4 * period + 60):
            _send("triggers.fire_schedules", at.isoformat(), eta=at, expires=at + timedelta(seconds=2 * period))
            sent += 1
    return sent


def schedules_fire_due(*, at: datetime) -> dict[str, int]:
    """The message `schedules_wake_up` sent for the moment `at`: fires what is due. A timer that
    rings a little early waits for the moment instead of leaving the fire to the next tick."""
    early = (at - dj_timezone.now()).total_seconds()
    if 0 < early <= 5:
        time.sleep(early)
    return schedules_tick()


_local_marks: dict[str, float] = {}
_local_marks_lock = threading.Lock()


@functools.cache
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _mark_once(key: str, *, seconds: float) -> bool:
    """True for the first to mark `key` within `seconds`: across processes and machines through
    Redis (SET NX) when the broker is Redis, else (the embedded broker: one machine) in this process."""
    key = f"{settings.DATABASES['default']['NAME']}:{key}"  # installations may share a Redis database
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith(("redis://", "rediss://")):
        return bool(_redis(url).set(f"studio:{key}", "1", nx=True, ex=max(1, math.ceil(seconds))))
    now = time.monotonic()
    with _local_marks_lock:
        for stale in [k for k, until in _local_marks.items() if until < now]:
            del _local_marks[stale]
        if key in _local_marks:
            return False
        _local_marks[key] = now + seconds
        return True


# =========================================================================== dataset triggers

DATASET_TRIGGER_FIELDS = ("name", "pipeline", "dataset", "node", "input", "parameters", "enabled", "debounce_seconds")


def _dataset_trigger_problems(values: Mapping[str, Any], exclude_pk: int | None = None) -> list[Problem]:
    problems: list[Problem] = []
    pipeline: Pipeline = values["pipeline"]
    dataset: Dataset = values["dataset"]
    version, version_problems = _pipeline_version(pipeline, None)
    problems += version_problems
    node_id, input_name = values.get("node"), values.get("input")
    if version is not None:
        nodes = graph_lib.nodes_by_id(version.graph)
        node = nodes.get(node_id)
        if node is None:
            known = ", ".join(nodes) or "none"
            problems.append(Problem("unknown_node", f"node: pipeline '{pipeline.name}' has no node {node_id!r} (nodes: {known}).", node=node_id, field="node"))
        else:
            from catalog.models import ComponentVersion

            cv = ComponentVersion.objects.filter(pk=node.get("component_version")).first()
            inputs = {p["name"]: p for p in (cv.spec.get("inputs") or [])} if cv else {}
            port = inputs.get(input_name)
            if port is None:
                known = ", ".join(inputs) or "none"
                problems.append(Problem(
                    "unknown_port", f"input: node '{node_id}' has no input {input_name!r} (inputs: {known}).",
                    node=node_id, port=input_name, field="input",
                ))
            else:
                type_ = ctypes.type_name(port.get("type"))
                accepted = graph_lib.DATASET_KIND_TYPES.get(dataset.kind, frozenset())
                if type_ is not None and type_ not in accepted and type_ not in ctypes.ACCEPTS_ANY:
                    problems.append(Problem(
                        "incompatible_types",
                        f"input: '{node_id}.{input_name}' expects {type_}, but dataset '{dataset.name}' holds {dataset.kind}s.",
                        node=node_id, port=input_name, field="input",
                    ))
            publishes = {str(p.get("dataset", "")).strip().lower() for n in nodes.values() for p in (n.get("publish") or [])}
            if dataset.name.lower() in publishes:
                problems.append(Problem(
                    "trigger_loop",
                    f"dataset: pipeline '{pipeline.name}' publishes to '{dataset.name}', so each run would trigger the next one forever.",
                    field="dataset",
                ))
        # The triggered input receives the version, so it need not be bound; the other parameters must resolve.
        problems += _parameter_problems(version, values.get("parameters"))
    debounce = values.get("debounce_seconds")
    if isinstance(debounce, bool) or not isinstance(debounce, int) or not 0 <= debounce <= MAX_DEBOUNCE_SECONDS:
        problems.append(Problem("out_of_range", f"debounce_seconds: expected a whole number from 0 to {MAX_DEBOUNCE_SECONDS}.", field="debounce_seconds"))
    taken = DatasetTrigger.objects.filter(pipeline=pipeline, dataset=dataset, node=node_id, input=input_name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        problems.append(Problem("unique", f"a trigger from dataset '{dataset.name}' into {node_id}.{input_name} of this pipeline already exists.", field="input"))
    if len(values.get("name") or "") > 200:
        problems.append(Problem("too_long", "name: at most 200 characters.", field="name"))
    return problems


def dataset_trigger_create(
    *,
    pipeline: Pipeline,
    dataset: Dataset,
    node: str,
    input: str,
    parameters: dict[str, Any] | None = None,
    enabled: bool = True,
    debounce_seconds: int = 0,
    name: str = "",
    user: Any = None,
) -> DatasetTrigger:
    values = {
        "name": name or "", "pipeline": pipeline, "dataset": dataset, "node": node, "input": input,
        "parameters": {} if parameters is None else parameters, "enabled": enabled, "debounce_seconds": debounce_seconds,
    }
    _raise_if(_dataset_trigger_problems(values))
    try:
        with transaction.atomic():
            return DatasetTrigger.objects.create(**values, created_by=_user(user))
    except IntegrityError:
        _raise_if(_dataset_trigger_problems(values))
        raise


def dataset_trigger_update(*, trigger: DatasetTrigger, changes: Mapping[str, Any]) -> DatasetTrigger:
    _reject_unknown_fields(changes, DATASET_TRIGGER_FIELDS, "not a dataset trigger field.")
    with transaction.atomic():
        locked = _lock_or_not_found(DatasetTrigger, trigger.pk, "dataset trigger")
        values = {name: getattr(locked, name) for name in DATASET_TRIGGER_FIELDS}
        values.update(changes)
        _raise_if(_dataset_trigger_problems(values, exclude_pk=locked.pk))
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
    return locked


def dataset_trigger_delete(*, trigger: DatasetTrigger) -> None:
    DatasetTrigger.objects.filter(pk=trigger.pk).delete()


def dataset_version_committed(*, version_id: int, now: datetime | None = None) -> list[DatasetTriggerFiring]:
    """A version was committed: each enabled trigger on its dataset fires once for it.

    Without a debounce window the run starts now; with one the firing waits
    (task `triggers.fire_debounced`, and the tick as a safety net). Delivering
    the event twice finds the firing rows taken and does nothing.
    """
    version = DatasetVersion.objects.select_related("dataset").filter(pk=version_id).first()
    if version is None:
        return []
    now = _now(now)
    fired: list[DatasetTriggerFiring] = []
    # Triggers created after the version was committed do not fire for it (matters when the event arrives late).
    for trigger in DatasetTrigger.objects.filter(dataset_id=version.dataset_id, enabled=True, created_at__lte=version.created_at + timedelta(seconds=1)):
        with transaction.atomic():
            firing = _record(
                DatasetTriggerFiring, trigger=trigger, dataset_version=version, status=FiringStatus.PENDING,
                fire_after=version.created_at + timedelta(seconds=trigger.debounce_seconds),
            )
            if firing is None:
                continue
            if trigger.debounce_seconds:
                transaction.on_commit(
                    functools.partial(_send, "triggers.fire_debounced", firing.pk, countdown=trigger.debounce_seconds + 1)
                )
            else:
                _dataset_firing_start(firing, trigger, version)
            fired.append(firing)
    DatasetVersion.objects.filter(pk=version.pk, triggers_notified_at__isnull=True).update(triggers_notified_at=now)
    return fired


def dataset_firing_process(*, firing_id: int, now: datetime | None = None) -> DatasetTriggerFiring | None:
    """A debounced firing whose window has passed: starts its run, unless a newer version of the
    dataset arrived meanwhile (that version's own firing runs instead)."""
    now = _now(now)
    with transaction.atomic():
        firing = (
            DatasetTriggerFiring.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("trigger", "dataset_version")
            .filter(pk=firing_id, status=FiringStatus.PENDING)
            .first()
        )
        if firing is None or firing.fire_after > now:
            return None  # handled already, or too early (the tick comes back)
        version = firing.dataset_version
        newer = (
            DatasetVersion.objects.filter(dataset_id=version.dataset_id, number__gt=version.number)
            .order_by("-number").values_list("number", flat=True).first()
        )
        if not firing.trigger.enabled:
            firing.status, firing.detail = FiringStatus.SKIPPED, "the trigger was disabled during its debounce window"
            firing.save(update_fields=["status", "detail"])
        elif newer is not None:
            firing.status, firing.detail = FiringStatus.SKIPPED, f"superseded by version {newer} within the debounce window"
            firing.save(update_fields=["status", "detail"])
        else:
            _dataset_firing_start(firing, firing.trigger, version)
    return firing


# =========================================================================== loops at run time

# Provenance hops walked back from a run before giving up (chains of triggers are short).
CHAIN_LIMIT = 100


@dataclass(frozen=True)
class _Link:
    kind: str  # TriggerKind.DATASET or TriggerKind.METRIC
    trigger_id: int | None
    run_id: int  # the run that trigger started


def _trigger_chain(run: Run | None) -> list[_Link]:
    """The triggers that led to `run`, nearest first: the trigger that started it, then the one that
    started the run whose output (a published dataset version) or metric set that one off, and so on
    back to a run started by hand or by a schedule. Retries count as their source run."""
    chain: list[_Link] = []
    seen: set[int] = set()
    while run is not None and run.pk not in seen and len(seen) < CHAIN_LIMIT:
        seen.add(run.pk)
        details = run.trigger or {}
        source: Run | None = None
        if run.trigger_kind == TriggerKind.DATASET:
            chain.append(_Link(TriggerKind.DATASET, details.get("dataset_trigger"), run.pk))
            step_id = DatasetVersion.objects.filter(pk=details.get("dataset_version")).values_list("produced_by_id", flat=True).first()
            source = _producing_run(step_id)
        elif run.trigger_kind == TriggerKind.METRIC:
            chain.append(_Link(TriggerKind.METRIC, details.get("metric_trigger"), run.pk))
            source = Run.objects.filter(pk=details.get("source_run")).first()
        elif run.trigger_kind == TriggerKind.RETRY:
            source = Run.objects.filter(pk=details.get("source_run") or run.retry_of_id).first()
        run = source
    return chain


def _loop_origin(run: Run | None, kind: str, trigger_id: int) -> int | None:
    """The run this trigger started that `run` descends from (so firing again would loop), or None."""
    return next((link.run_id for link in _trigger_chain(run) if link.kind == kind and link.trigger_id == trigger_id), None)


def _producing_run(step_id: int | None) -> Run | None:
    """The run of the step that produced a dataset version (None for an upload or a registration)."""
    return Run.objects.filter(steps__pk=step_id).first() if step_id else None


def _dataset_firing_start(firing: DatasetTriggerFiring, trigger: DatasetTrigger, version: DatasetVersion) -> None:
    producer = _producing_run(version.produced_by_id)
    origin = _loop_origin(producer, TriggerKind.DATASET, trigger.pk)
    if producer is not None and origin is not None:
        # The pipeline publishes (directly or through other triggers) into the dataset that
        # triggers it: checked when the trigger is saved, but the pipeline may change later.
        how = "which this trigger started" if origin == producer.pk else f"which comes from run {origin} that this trigger started"
        firing.status = FiringStatus.SKIPPED
        firing.detail = f"would loop: version {version.number} was produced by run {producer.pk}, {how}"
        firing.save(update_fields=["status", "detail"])
        return
    try:
        run = run_services.run_create(
            pipeline=trigger.pipeline,
            parameters=trigger.parameters,
            trigger_kind=TriggerKind.DATASET,
            trigger={
                "dataset_trigger": trigger.pk,
                "dataset": version.dataset_id,
                "dataset_name": version.dataset.name,
                "dataset_version": version.pk,
                "version": version.number,
            },
            dataset_pins={trigger.node: {trigger.input: version.pk}},
        )
    except StudioError as exc:
        firing.status, firing.detail = FiringStatus.FAILED, exc.message[:4000]
        firing.save(update_fields=["status", "detail"])
        return
    firing.status, firing.run = FiringStatus.STARTED, run
    firing.save(update_fields=["status", "run"])


def _send(task: str, *args: Any, countdown: float | None = None, eta: datetime | None = None, expires: datetime | None = None) -> None:
    from studio.celery import app

    app.send_task(task, args=list(args), countdown=countdown, eta=eta, expires=expires)


# =========================================================================== metric triggers

METRIC_TRIGGER_FIELDS = ("name", "source_pipeline", "metric", "comparison", "threshold", "target_pipeline", "parameters", "enabled")


METRIC_FORMS = (
    "expected node.output.key, node.key (a key of the node's only Metrics output) "
    "or node.output (a Float or Integer output)"
)


def _split_metric(pipeline: Pipeline, values: Mapping[str, Any]) -> tuple[tuple[str, str, str] | None, list[Problem]]:
    """(node, output, key) from `metric`, matched against the source pipeline's newest graph
    (node ids may contain dots). Three forms: `evaluate.metrics.accuracy` (key of a Metrics/JSON
    output), `evaluate.accuracy` (key of the node's only Metrics output) and `evaluate.score`
    (a Float/Integer output; key "")."""
    version = pipeline.versions.order_by("-number").first()
    if version is None:
        return None, [Problem("no_version", f"source_pipeline: '{pipeline.name}' has no saved version yet.", field="source_pipeline")]
    nodes = graph_lib.nodes_by_id(version.graph)
    from catalog.models import ComponentVersion

    specs = {cv.pk: cv.spec for cv in ComponentVersion.objects.filter(pk__in=[n.get("component_version") for n in nodes.values()])}

    def outputs_of(node_id: str) -> dict[str, Any]:
        spec = specs.get(nodes[node_id].get("component_version")) or {}
        return {p["name"]: p for p in spec.get("outputs") or []}

    text = values.get("metric")
    if not isinstance(text, str) or not text.strip():
        return None, [Problem("required", "metric: name the watched value as node.output.key, e.g. evaluate.metrics.accuracy.", field="metric")]
    text = text.strip()
    for node_id in sorted(nodes, key=len, reverse=True):
        if text.startswith(node_id + "."):
            return _metric_in_node(node_id, text[len(node_id) + 1:], outputs_of(node_id))
    known = ", ".join(nodes) or "none"
    return None, [Problem("unknown_node", f"metric: {text!r} does not start with a node of '{pipeline.name}' (nodes: {known}); {METRIC_FORMS}.", field="metric")]


def _metric_in_node(node_id: str, rest: str, outputs: Mapping[str, Any]) -> tuple[tuple[str, str, str] | None, list[Problem]]:
    def problem(code: str, message: str, port: str | None = None) -> tuple[None, list[Problem]]:
        return None, [Problem(code, f"metric: {message}", node=node_id, port=port, field="metric")]

    def type_of(name: str) -> str | None:
        return ctypes.type_name(outputs[name].get("type"))

    # node.output: the number a Float/Integer output holds.
    if rest in outputs:
        type_ = type_of(rest)
        if type_ in METRIC_SCALAR_TYPES:
            return (node_id, rest, ""), []
        if type_ in METRIC_OUTPUT_TYPES:
            return problem("missing_key", f"output '{node_id}.{rest}' is {type_ or 'untyped'}; name a key in it: {node_id}.{rest}.<key>.", rest)
        return problem("incompatible_types", f"output '{node_id}.{rest}' is {type_}; a metric trigger reads a Float or Integer output, or a key of a Metrics (JSON object) output.", rest)
    # node.output.key: a key of a Metrics/JSON output.
    for output_name in sorted(outputs, key=len, reverse=True):
        key = rest[len(output_name) + 1:] if rest.startswith(output_name + ".") else ""
        if not key:
            continue
        type_ = type_of(output_name)
        if type_ in METRIC_SCALAR_TYPES:
            return problem("incompatible_types", f"output '{node_id}.{output_name}' is a single {type_}, which has no keys; watch it as {node_id}.{output_name}.", output_name)
        if type_ not in METRIC_OUTPUT_TYPES:
            return problem("incompatible_types", f"output '{node_id}.{output_name}' is {type_}; a metric trigger reads a Metrics (JSON object) output.", output_name)
        return (node_id, output_name, key), []
    # node.key: a key of the node's only Metrics output. Not for dotted keys: "scores.accuracy"
    # more likely names a missing output "scores" than a nested key (the full form reads those).
    metrics = sorted(name for name in outputs if type_of(name) == "Metrics")
    if "." not in rest and len(metrics) == 1:
        return (node_id, metrics[0], rest), []
    if "." not in rest and len(metrics) > 1:
        candidates = ", ".join(f"{node_id}.{name}.{rest}" for name in metrics)
        return problem("ambiguous_metric", f"node '{node_id}' has {len(metrics)} Metrics outputs, so {node_id}.{rest} could be any of: {candidates}; name one.")
    known = ", ".join(outputs) or "none"
    return problem("unknown_port", f"node '{node_id}' has no output matching {rest!r} (outputs: {known}); {METRIC_FORMS}.")


def _metric_trigger_problems(values: Mapping[str, Any]) -> tuple[tuple[str, str, str] | None, list[Problem]]:
    problems: list[Problem] = []
    source: Pipeline = values["source_pipeline"]
    target: Pipeline = values["target_pipeline"]
    parts, metric_problems = _split_metric(source, values)
    problems += metric_problems
    if values.get("comparison") not in Comparison.values:
        problems.append(Problem("invalid_choice", f"comparison: expected one of {', '.join(Comparison.values)}.", field="comparison"))
    threshold = values.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        problems.append(Problem("invalid", "threshold: expected a finite number.", field="threshold"))
    if target.pk == source.pk:
        problems.append(Problem("trigger_loop", "target_pipeline: a pipeline cannot retrigger itself on its own metric (it would loop).", field="target_pipeline"))
    version, version_problems = _pipeline_version(target, None, field="target_pipeline")
    problems += [Problem(p.code, p.message.replace("pipeline:", "target_pipeline:", 1), field="target_pipeline") for p in version_problems]
    problems += _parameter_problems(version, values.get("parameters"))
    if len(values.get("name") or "") > 200:
        problems.append(Problem("too_long", "name: at most 200 characters.", field="name"))
    return parts, problems


def metric_trigger_create(
    *,
    source_pipeline: Pipeline,
    metric: str,
    comparison: str,
    threshold: float,
    target_pipeline: Pipeline,
    parameters: dict[str, Any] | None = None,
    enabled: bool = True,
    name: str = "",
    user: Any = None,
) -> MetricTrigger:
    values = {
        "name": name or "", "source_pipeline": source_pipeline, "metric": metric, "comparison": comparison,
        "threshold": threshold, "target_pipeline": target_pipeline, "parameters": {} if parameters is None else parameters,
        "enabled": enabled,
    }
    parts, problems = _metric_trigger_problems(values)
    _raise_if(problems)
    assert parts is not None
    node, output, key = parts
    values.pop("metric")
    values["threshold"] = float(threshold)
    return MetricTrigger.objects.create(**values, node=node, output=output, metric=key, created_by=_user(user))


def metric_trigger_update(*, trigger: MetricTrigger, changes: Mapping[str, Any]) -> MetricTrigger:
    _reject_unknown_fields(changes, METRIC_TRIGGER_FIELDS, "not a writable metric trigger field.")
    with transaction.atomic():
        locked = _lock_or_not_found(MetricTrigger, trigger.pk, "metric trigger")
        values = {
            "name": locked.name, "source_pipeline": locked.source_pipeline, "metric": locked.watched,
            "comparison": locked.comparison, "threshold": locked.threshold, "target_pipeline": locked.target_pipeline,
            "parameters": locked.parameters, "enabled": locked.enabled,
        }
        values.update(changes)
        parts, problems = _metric_trigger_problems(values)
        _raise_if(problems)
        assert parts is not None
        locked.node, locked.output, locked.metric = parts
        for key in ("name", "source_pipeline", "comparison", "target_pipeline", "parameters", "enabled"):
            setattr(locked, key, values[key])
        locked.threshold = float(values["threshold"])
        locked.save()
    return locked


def metric_trigger_delete(*, trigger: MetricTrigger) -> None:
    MetricTrigger.objects.filter(pk=trigger.pk).delete()


def _compare(value: float, comparison: str, threshold: float) -> bool:
    return {
        Comparison.LT: value < threshold,
        Comparison.LTE: value <= threshold,
        Comparison.GT: value > threshold,
        Comparison.GTE: value >= threshold,
    }[Comparison(comparison)]


def _metric_value(run: Run, trigger: MetricTrigger) -> tuple[float | None, str]:
    """(value, "") or (None, why it could not be read)."""
    from runs.engine import effective_step_id

    where = f"{trigger.node}.{trigger.output}"
    step = run.steps.filter(node_id=trigger.node).first()
    if step is None:
        return None, f"run {run.pk} has no step '{trigger.node}'"
    artifact = Artifact.objects.filter(step_id=effective_step_id(step), name=trigger.output).first()
    if artifact is None:
        return None, f"step '{trigger.node}' produced no output '{trigger.output}'"
    if not trigger.metric:
        # A Float/Integer output: the file's text is the number (as a value input reads it).
        if artifact.size > 64 * 1024:
            return None, f"{where} is larger than 64 KiB; not a single number"
        text = ""
        try:
            text = store.read_head(artifact.sha256, 64 * 1024).decode("utf-8").strip()
            number = ctypes.coerce_value("Float", text)  # as a downstream Float input would read it
        except (ValueError, OSError):
            return None, f"{where} does not hold a number (got {json.dumps(text[:80])})"
        if not math.isfinite(number):
            return None, f"{where} does not hold a finite number (got {text[:80]})"
        return number, ""
    values: Any = (artifact.preview or {}).get("values") if (artifact.preview or {}).get("kind") == "metrics" else None
    if values is None:
        if artifact.size > 1024 * 1024:
            return None, f"{where} is larger than 1 MiB; not a metrics file"
        try:
            values = json.loads(store.read_head(artifact.sha256, 1024 * 1024 + 1).decode("utf-8"))
        except (ValueError, OSError) as exc:
            return None, f"{where} is not JSON: {exc}"
    if isinstance(values, dict) and isinstance(values.get("metrics"), list):
        # Kubeflow's mlpipeline-metrics format: {"metrics": [{"name", "numberValue"}]}
        values = {m.get("name"): m.get("numberValue") for m in values["metrics"] if isinstance(m, dict)}
    value: Any = values
    for part in [trigger.metric] if isinstance(values, dict) and trigger.metric in values else trigger.metric.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, f"{where} has no numeric value '{trigger.metric}' (got {json.dumps(value)[:80]})"
    return float(value), ""


def run_finished(*, run_id: int) -> list[MetricTriggerFiring]:
    """A run completed: every enabled metric trigger watching its pipeline evaluates it, once."""
    run = Run.objects.select_related("pipeline").filter(pk=run_id, status=RunStatus.COMPLETED).first()
    if run is None:
        return []
    firings: list[MetricTriggerFiring] = []
    for trigger in MetricTrigger.objects.filter(source_pipeline_id=run.pipeline_id, enabled=True).select_related("target_pipeline"):
        with transaction.atomic():
            firing = _record(MetricTriggerFiring, trigger=trigger, source_run=run, status=FiringStatus.PENDING)
            if firing is None:
                continue
            value, error = _metric_value(run, trigger)
            firing.value = value
            metric = trigger.watched
            if value is None:
                firing.status, firing.detail = FiringStatus.FAILED, error
            elif not _compare(value, trigger.comparison, trigger.threshold):
                firing.status, firing.detail = FiringStatus.NOT_MET, f"{metric} = {value:g}, not {trigger.comparison} {trigger.threshold:g}"
            elif (origin := _loop_origin(run, TriggerKind.METRIC, trigger.pk)) is not None:
                # A chain of metric (or dataset) triggers that leads back here: A → B → A → ...
                firing.status = FiringStatus.SKIPPED
                firing.detail = (
                    f"would loop: {metric} = {value:g} {trigger.comparison} {trigger.threshold:g}, but run {run.pk} "
                    f"comes from run {origin}, which this trigger started"
                )
            else:
                try:
                    firing.run = run_services.run_create(
                        pipeline=trigger.target_pipeline,
                        parameters=trigger.parameters,
                        trigger_kind=TriggerKind.METRIC,
                        trigger={
                            "metric_trigger": trigger.pk,
                            "source_run": run.pk,
                            "source_pipeline": run.pipeline_id,
                            "metric": metric,
                            "value": value,
                            "comparison": trigger.comparison,
                            "threshold": trigger.threshold,
                        },
                    )
                    firing.status, firing.detail = FiringStatus.STARTED, f"{metric} = {value:g} {trigger.comparison} {trigger.threshold:g}"
                except StudioError as exc:
                    firing.status, firing.detail = FiringStatus.FAILED, exc.message[:4000]
            firing.save()
            firings.append(firing)
    return firings


# =========================================================================== the tick


def triggers_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Everything time-driven: due schedules, due debounced firings, lost events. Run by beat."""
    now = _now(now)
    counts: Counter[str] = Counter(schedules_tick(now=now))
    for firing_id in DatasetTriggerFiring.objects.filter(status=FiringStatus.PENDING, fire_after__lte=now).values_list("pk", flat=True)[:500]:
        if dataset_firing_process(firing_id=firing_id, now=now) is not None:
            counts["debounced"] += 1
    lost = now - timedelta(seconds=LOST_EVENT_SECONDS)
    for version_id in DatasetVersion.objects.filter(triggers_notified_at__isnull=True, created_at__lte=lost).values_list("pk", flat=True)[:200]:
        counts["dataset_events_recovered"] += len(dataset_version_committed(version_id=version_id, now=now))
    for trigger in MetricTrigger.objects.filter(enabled=True):
        unevaluated = Run.objects.filter(
            pipeline_id=trigger.source_pipeline_id,
            status=RunStatus.COMPLETED,
            finished_at__gte=max(trigger.created_at, now - timedelta(days=1)),
            finished_at__lte=lost,
        ).filter(~Exists(MetricTriggerFiring.objects.filter(trigger=trigger, source_run=OuterRef("pk"))))
        for run_id in unevaluated.values_list("pk", flat=True)[:100]:
            counts["metric_events_recovered"] += len(run_finished(run_id=run_id))
    # The wake-up messages are real-time ETAs, so they follow the real clock, not an injected `now`.
    try:
        counts["wake_ups"] += schedules_wake_up()
    except Exception:
        # The schedules then fire at the next tick instead of on the dot.
        logger.exception("arranging the next schedule wake-up failed")
    return dict(counts)

