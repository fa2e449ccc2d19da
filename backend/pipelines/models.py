from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from studio.immutable import Immutable


class Pipeline(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Churn model" and "churn model" side by side in a list is a trap, not two pipelines.
            models.UniqueConstraint(Lower("name"), name="pipeline_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> PipelineVersion | None:
        # selectors.pipeline_get prefetches it (the list reads a summary, selectors.pipeline_latest_versions);
        # the query below is the fallback for a bare instance.
        prefetched = getattr(self, "prefetched_latest_versions", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.versions.order_by("-number").first()


class PipelineVersion(Immutable, models.Model):
    """An immutable graph + parameters. `digest` detects unchanged saves.

    `graph` is stored migrated to the schema version current when it was saved
    (pipelines.graph.migrate_graph reads older ones); `parameters` is stored
    normalised ([{name, type, default, description}], see graph.normalize_parameters).
    """

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField()
    parameters = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    message = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pipeline_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "number"], name="pipeline_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.name} v{self.number}"

