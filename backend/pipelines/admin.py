from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pipelines.models import Pipeline, PipelineVersion


class PipelineVersionInline(admin.TabularInline):
    """Versions are immutable (runs point at them): shown, never edited here."""

    model = PipelineVersion
    fields = ["number", "message", "author", "digest", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-number"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "created_at", "updated_at"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [PipelineVersionInline]


@admin.register(PipelineVersion)
class PipelineVersionAdmin(admin.ModelAdmin):
    list_display = ["pipeline", "number", "author", "created_at"]
    list_select_related = ["pipeline", "author"]
    list_filter = ["pipeline"]
    readonly_fields = ["pipeline", "number", "graph", "parameters", "digest", "message", "author", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
