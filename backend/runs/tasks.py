"""Thin Celery tasks: load ids, call one service. Each states its reliability policy."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from runs import engine

# Only infrastructure hiccups are retried here; step retries live in the database.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(name="runs.advance_run", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=TRANSIENT, max_retries=5, retry_backoff=True)
def advance_run(run_id: int) -> None:
    engine.run_advance(run_id=run_id)


@shared_task(name="runs.execute_step", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=TRANSIENT, max_retries=3, retry_backoff=True)
def execute_step(step_id: int) -> None:
    engine.step_execute(step_id=step_id)


# A standby container only saves time: a lost prepare message costs a normal start, nothing more.
@shared_task(name="runs.prepare_step", acks_late=False, ignore_result=True)
def prepare_step(step_id: int) -> None:
    engine.step_prepare(step_id=step_id)


@shared_task(name="runs.abort_orphans", acks_late=True, autoretry_for=TRANSIENT, max_retries=3)
def abort_orphans(run_id: int) -> None:
    engine.run_abort_orphans(run_id=run_id)


# Beat sends it every STUDIO_RECONCILE_SECONDS, so a lost one is simply the next one.
@shared_task(name="runs.reconcile", acks_late=False, ignore_result=True)
def reconcile() -> dict[str, int]:
    return engine.runs_reconcile()
