"""What starts runs without a person clicking: cron schedules, dataset-version triggers and
metric triggers, each with firing records whose unique constraints make every fire happen once."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CatchUp(models.TextChoices):
    SKIP = "skip"  # fire times missed while the scheduler was down are dropped
    ONCE = "once"  # all missed fire times together make one run
    ALL = "all"  # one run per missed fire time, at most `max_catchup`


class Schedule(models.Model):
    name = models.CharField(max_length=200, blank=True)
    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="schedules")
    # Null: each fire runs the pipeline's newest version.
    pipeline_version = models.ForeignKey("pipelines.PipelineVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    cron = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    parameters = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    catchup = models.CharField(max_length=8, choices=CatchUp.choices, default=CatchUp.SKIP)
    max_catchup = models.PositiveIntegerField(default=10)
    max_concurrent_runs = models.PositiveIntegerField(default=10)
    # The first fire time not handled yet; null while paused.
    next_fire_at = models.DateTimeField(null=True, blank=True)
    last_fire_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["enabled", "next_fire_at"], name="schedule_due")]

    def __str__(self) -> str:
        return self.name or f"schedule {self.pk} ({self.cron})"


class FiringStatus(models.TextChoices):
    STARTED = "started"  # a run was created
    PENDING = "pending"  # waiting for its debounce window
    SKIPPED = "skipped"  # not started on purpose (concurrency limit, superseded by a newer version)
    MISSED = "missed"  # a fire time that passed while the scheduler was down (catch-up policy)
    NOT_MET = "not_met"  # a metric that did not cross its threshold
    FAILED = "failed"  # the run could not be created (detail says why)


class ScheduleFiring(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="firings")
    fire_time = models.DateTimeField()
    status = models.CharField(max_length=16, choices=FiringStatus.choices)
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fire_time", "-id"]
        # The guarantee behind "two beat processes never double-fire".
        constraints = [models.UniqueConstraint(fields=["schedule", "fire_time"], name="schedule_fires_once")]

    def __str__(self) -> str:
        return f"{self.schedule_id} @ {self.fire_time.isoformat()} ({self.status})"


class DatasetTrigger(models.Model):
    name = models.CharField(max_length=200, blank=True)
    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="dataset_triggers")
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.CASCADE, related_name="triggers")
    # The pipeline input that receives the new version.
    node = models.CharField(max_length=100)
    input = models.CharField(max_length=200)
    parameters = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    # 0: every version starts a run. N > 0: a run starts N seconds after a version
    # unless a newer one arrived meanwhile, so a burst of versions makes one run.
    debounce_seconds = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "dataset", "node", "input"], name="dataset_trigger_unique_target"),
        ]

    def __str__(self) -> str:
        return self.name or f"dataset trigger {self.pk}"


class DatasetTriggerFiring(models.Model):
    trigger = models.ForeignKey(DatasetTrigger, on_delete=models.CASCADE, related_name="firings")
    dataset_version = models.ForeignKey("datasets.DatasetVersion", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=FiringStatus.choices)
    fire_after = models.DateTimeField()
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        # One run per (trigger, version), however often the commit event is delivered.
        constraints = [models.UniqueConstraint(fields=["trigger", "dataset_version"], name="dataset_trigger_fires_once")]
        indexes = [models.Index(fields=["status", "fire_after"], name="dataset_firing_due")]

    def __str__(self) -> str:
        return f"trigger {self.trigger_id} version {self.dataset_version_id} ({self.status})"


class Comparison(models.TextChoices):
    LT = "<"
    LTE = "<="
    GT = ">"
    GTE = ">="


class MetricTrigger(models.Model):
    name = models.CharField(max_length=200, blank=True)
    source_pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="metric_triggers")
    # The watched value: key `metric` of output `output` of node `node` (e.g. evaluate.metrics.accuracy),
    # or, with `metric` blank, the number a Float/Integer output holds (e.g. evaluate.accuracy).
    node = models.CharField(max_length=100)
    output = models.CharField(max_length=200)
    metric = models.CharField(max_length=200, blank=True)
    comparison = models.CharField(max_length=2, choices=Comparison.choices)
    threshold = models.FloatField()
    target_pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or f"{self.watched} {self.comparison} {self.threshold}"

    @property
    def watched(self) -> str:
        """The watched value in its full form: node.output.key, or node.output for a number output."""
        return f"{self.node}.{self.output}.{self.metric}" if self.metric else f"{self.node}.{self.output}"


class MetricTriggerFiring(models.Model):
    trigger = models.ForeignKey(MetricTrigger, on_delete=models.CASCADE, related_name="firings")
    source_run = models.ForeignKey("runs.Run", on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=FiringStatus.choices)
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        # Once per source run, however often the run-finished event is delivered.
        constraints = [models.UniqueConstraint(fields=["trigger", "source_run"], name="metric_trigger_fires_once")]

    def __str__(self) -> str:
        return f"metric trigger {self.trigger_id} run {self.source_run_id} ({self.status})"
