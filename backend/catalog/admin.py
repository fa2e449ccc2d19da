"""Admin: a read-only window on the catalog. Specs are immutable and imports go
through catalog.services (validation, versioning), so nothing is edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from catalog.models import Component, ComponentVersion


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ComponentVersionInline(admin.TabularInline):
    model = ComponentVersion
    fields = ["version", "digest", "image", "runnable", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ["-version"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Component)
class ComponentAdmin(_ReadOnly):
    list_display = ["name", "category", "updated_at"]
    list_filter = ["category"]
    search_fields = ["name", "description"]
    readonly_fields = ["name", "description", "category", "created_at", "updated_at"]
    inlines = [ComponentVersionInline]


@admin.register(ComponentVersion)
class ComponentVersionAdmin(_ReadOnly):
    list_display = ["component", "version", "image", "runnable", "created_at"]
    list_filter = ["runnable"]
    list_select_related = ["component"]
    search_fields = ["component__name", "digest", "image"]
    readonly_fields = ["component", "version", "digest", "image", "runnable", "spec", "source_yaml", "created_by", "created_at"]
