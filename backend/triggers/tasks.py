"""Thin Celery tasks: load ids, call one service. Each states its reliability policy.

Every service here is idempotent (firing rows are unique), so redelivery is safe
and acks_late costs nothing; the tick repairs whatever a lost message left undone.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

from triggers import services

TRANSIENT = (OperationalError, InterfaceError)


# A lost or late tick is replaced by the next one (beat sends it with an expiry), so no retries.
@shared_task(name="triggers.tick", acks_late=False, ignore_result=True)
def tick() -> dict[str, int]:
    return services.triggers_tick()


# Sent with an ETA for the moment schedules are due; a lost one leaves the fire to the next tick.
@shared_task(name="triggers.fire_schedules", acks_late=False, ignore_result=True)
def fire_schedules(at: str) -> dict[str, int]:
    return services.schedules_fire_due(at=datetime.fromisoformat(at))


@shared_task(name="triggers.dataset_version_committed", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=TRANSIENT, max_retries=5, retry_backoff=True, ignore_result=True)
def dataset_version_committed(version_id: int) -> None:
    services.dataset_version_committed(version_id=version_id)


@shared_task(name="triggers.fire_debounced", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=TRANSIENT, max_retries=5, retry_backoff=True, ignore_result=True)
def fire_debounced(firing_id: int) -> None:
    services.dataset_firing_process(firing_id=firing_id)


@shared_task(name="triggers.run_finished", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=TRANSIENT, max_retries=5, retry_backoff=True, ignore_result=True)
def run_finished(run_id: int) -> None:
    services.run_finished(run_id=run_id)
