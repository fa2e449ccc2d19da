from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from studio.immutable import Immutable


class Category(models.TextChoices):
    DATA_INGEST = "data-ingest"
    DATA_PROCESSING = "data-processing"
    TRAINING = "training"
    EVALUATION = "evaluation"
    BATCH_INFERENCE = "batch-inference"
    HYPERPARAMETER_SEARCH = "hyperparameter-search"
    TEST = "test"
    OTHER = "other"


class Component(models.Model):
    """A named component; its specs live in immutable ComponentVersions."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=40, choices=Category.choices, default=Category.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ComponentVersion(Immutable, models.Model):
    """One immutable spec of a component (KFP v1 component.yaml, parsed to JSON).

    `digest` is the sha256 of the canonical JSON of `spec`: importing the same
    spec again finds this row instead of adding a version.
    """
    # A changed spec is a new version (catalog.services).
    immutable_hint = "import the changed spec as a new version instead"

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    spec = models.JSONField()
    source_yaml = models.TextField(blank=True)
    image = models.CharField(max_length=500, blank=True)
    # False for `graph` implementations (stored, not runnable yet).
    runnable = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["component_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["component", "version"], name="component_version_unique_number"),
            models.UniqueConstraint(fields=["component", "digest"], name="component_version_unique_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.component.name} v{self.version}"

    @property
    def inputs(self) -> list[dict[str, Any]]:
        return list(self.spec.get("inputs") or [])

    @property
    def outputs(self) -> list[dict[str, Any]]:
        return list(self.spec.get("outputs") or [])
