from __future__ import annotations

from django.conf import settings
from django.db import models


class RunStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"


class StepStatus(models.TextChoices):
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"
    SKIPPED = "skipped"
    CACHED = "cached"


RUN_TERMINAL = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.ABORTED})
STEP_TERMINAL = frozenset(
    {StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.ABORTED, StepStatus.SKIPPED, StepStatus.CACHED}
)
# Terminal states whose outputs downstream steps may consume.
STEP_SUCCEEDED = frozenset({StepStatus.COMPLETED, StepStatus.CACHED})


class TriggerKind(models.TextChoices):
    MANUAL = "manual"
    SCHEDULE = "schedule"
    DATASET = "dataset"
    METRIC = "metric"
    RETRY = "retry"


class Run(models.Model):
    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="runs")
    pipeline_version = models.ForeignKey("pipelines.PipelineVersion", on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING, db_index=True)
    # Set while an abort is in progress; the run ends `aborted`.
    abort_requested = models.BooleanField(default=False)
    trigger_kind = models.CharField(max_length=16, choices=TriggerKind.choices, default=TriggerKind.MANUAL)
    # Why it started: user, schedule id and fire time, dataset version, source run...
    trigger = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    # Dataset versions pinned when the run was created (a "latest" binding or a
    # dataset trigger's version): {node: {input: {"dataset", "dataset_name", "version", "dataset_version"}}}.
    dataset_inputs = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["pipeline", "-created_at"], name="run_pipeline_recent")]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class StepRun(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    node_id = models.CharField(max_length=100)
    component_version = models.ForeignKey("catalog.ComponentVersion", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING, db_index=True)
    # attempt counts executions (1-based once started); max_attempts = retries + 1.
    attempt = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=1)
    timeout_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Resolved arguments: {"input": {"value": ...} | {"artifact": id}}.
    inputs = models.JSONField(default=dict)
    exit_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    container_name = models.CharField(max_length=200, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    peak_memory_bytes = models.BigIntegerField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)
    log_size = models.BigIntegerField(default=0)
    # Times a worker took the step over after its previous worker died.
    recoveries = models.PositiveIntegerField(default=0)
    cached_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A standby container was asked for while the upstream steps ran (runs/engine.py, executors/standby.py).
    standby = models.BooleanField(default=False)
    # When the step's command began: the container's start, or the release of its standby container.
    launched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "node_id"], name="step_unique_node_per_run")]

    def __str__(self) -> str:
        return f"step {self.node_id} of run {self.run_id} ({self.status})"


class Artifact(models.Model):
    """A content-addressed output file (sha256) in the artifact store."""

    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.CASCADE, related_name="artifacts")
    step = models.ForeignKey(StepRun, null=True, blank=True, on_delete=models.CASCADE, related_name="outputs")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=100, blank=True)
    media_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    uri = models.CharField(max_length=1000)
    preview = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "name"], name="artifact_unique_output_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
