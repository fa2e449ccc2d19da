"""The reconciler re-sends work that was lost, and only that: a backlog is not amplified."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from runs.engine import runs_reconcile
from runs.models import Run, StepRun
from tests.engine.conftest import make_pipeline, node

pytestmark = pytest.mark.django_db


def make_run(pipeline, cv, *, age: timedelta, last_step_end: timedelta | None, status: str = "completed") -> Run:
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="running")
    Run.objects.filter(pk=run.pk).update(created_at=timezone.now() - age)
    finished = timezone.now() - last_step_end if last_step_end is not None else None
    StepRun.objects.create(run=run, node_id="a", component_version=cv, status=status, finished_at=finished)
    StepRun.objects.create(run=run, node_id="b", component_version=cv, status="pending")
    return run


def test_it_resends_the_advance_of_a_run_that_made_no_progress(shell_component, django_capture_on_commit_callbacks):
    pipeline = make_pipeline("stuck", [node("a", shell_component, "pass"), node("b", shell_component, "pass", upstream="a")])
    make_run(pipeline, shell_component, age=timedelta(minutes=30), last_step_end=timedelta(minutes=20))

    with django_capture_on_commit_callbacks() as sent:
        counts = runs_reconcile()

    assert counts["advanced"] == 1 and len(sent) == 1


def test_it_leaves_alone_runs_that_progressed_recently(shell_component):
    pipeline = make_pipeline("busy", [node("a", shell_component, "pass"), node("b", shell_component, "pass", upstream="a")])
    # Old runs whose last step ended a moment ago: their advance is on its way.
    for _ in range(5):
        make_run(pipeline, shell_component, age=timedelta(minutes=30), last_step_end=timedelta(seconds=5))

    assert runs_reconcile()["advanced"] == 0


def test_a_run_waiting_for_its_first_advance_is_resent_only_as_late_as_a_queued_step(shell_component):
    pipeline = make_pipeline("burst", [node("a", shell_component, "pass"), node("b", shell_component, "pass", upstream="a")])
    # Created two minutes ago, nothing started: its first advance may be behind a burst of runs.
    waiting = make_run(pipeline, shell_component, age=timedelta(minutes=2), last_step_end=None, status="pending")
    assert runs_reconcile()["advanced"] == 0

    # After STUDIO_QUEUED_LOST_SECONDS (15 minutes) that message counts as lost, as a queued step's does.
    Run.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert runs_reconcile()["advanced"] == 1


def test_it_takes_over_running_steps_whose_worker_went_silent(shell_component):
    pipeline = make_pipeline("silent", [node("a", shell_component, "pass")])
    run = Run.objects.create(pipeline=pipeline, pipeline_version=pipeline.versions.get(), status="running")
    StepRun.objects.create(run=run, node_id="a", component_version=shell_component, status="running",
                           heartbeat_at=timezone.now() - timedelta(minutes=5))

    assert runs_reconcile()["taken_over"] == 1
