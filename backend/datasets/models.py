"""Datasets and their immutable, numbered versions (DESIGN.md "Data").

A version's bytes live in the content-addressed store (`store://sha256/...`,
through an `Artifact` row the engine can mount) or outside it, registered by
reference (`s3://`, `hdfs://`, `file://`). `produced_by` and `DatasetUsage`
give lineage: dataset version → run that read it → versions that run produced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from studio.immutable import Immutable


class DatasetKind(models.TextChoices):
    DATASET = "dataset"
    MODEL = "model"


class Dataset(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=DatasetKind.choices, default=DatasetKind.DATASET)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Pipelines publish to a dataset by name, so "Iris" and "iris" must be one dataset.
            models.UniqueConstraint(Lower("name"), name="dataset_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> DatasetVersion | None:
        prefetched = getattr(self, "prefetched_latest_versions", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.versions.order_by("-number").first()


class DatasetVersion(Immutable, models.Model):
    """One immutable version. `sha256` is blank only for an external URI registered without a checksum."""
    # (The trigger bookkeeping column is updated with QuerySet.update.)
    immutable_hint = "commit a new version instead"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    uri = models.CharField(max_length=2000)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.BigIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    # Tabular data: {"format": "csv", "rows", "columns", "preview": {"columns", "rows"}}.
    metadata = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    # The stored bytes as an artifact the engine can mount into a step (null for external URIs).
    # The row belongs to this version (run and step are null), so deleting runs never touches it.
    artifact = models.ForeignKey("runs.Artifact", null=True, blank=True, on_delete=models.PROTECT, related_name="dataset_versions")
    produced_by = models.ForeignKey("runs.StepRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="published_versions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the dataset triggers saw this version; null until then (the trigger tick redelivers lost events).
    triggers_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.dataset.name} v{self.number}"

    @property
    def external(self) -> bool:
        return self.artifact_id is None



class DatasetUsage(models.Model):
    """Run `run` read `version` on input `input` of node `node_id` (recorded when the run is created)."""

    run = models.ForeignKey("runs.Run", on_delete=models.CASCADE, related_name="dataset_usages")
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="usages")
    node_id = models.CharField(max_length=100)
    input = models.CharField(max_length=200)

    class Meta:
        ordering = ["run_id", "node_id", "input"]
        constraints = [models.UniqueConstraint(fields=["run", "node_id", "input"], name="dataset_usage_unique_input")]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.node_id}.{self.input} ← version {self.version_id}"
