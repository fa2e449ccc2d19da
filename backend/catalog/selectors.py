"""Reads from the catalog. Each returns querysets/rows with what serializers need already loaded."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from catalog.models import Component, ComponentVersion
from studio.errors import NotFound


def _with_latest(queryset: QuerySet[Component]) -> QuerySet[Component]:
    # A sliced Prefetch (Django >= 4.2, a window function in SQL) loads only the
    # newest version of each component on the page, in one query.
    return queryset.annotate(version_count=Count("versions")).prefetch_related(
        Prefetch("versions", queryset=ComponentVersion.objects.order_by("-version")[:1], to_attr="latest_versions")
    )


def components_matching(queryset: QuerySet[Component], *, search: str) -> QuerySet[Component]:
    """Every word of `search` must appear in the name or the description (case-insensitive)."""
    for word in search.split():
        queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return queryset


def component_list(*, search: str | None = None, category: str | None = None) -> QuerySet[Component]:
    """Components by name, each with `version_count` and `latest_version` (via `latest_versions`)."""
    queryset = Component.objects.all()
    if search:
        queryset = components_matching(queryset, search=search)
    if category:
        queryset = queryset.filter(category=category)
    return _with_latest(queryset).order_by("name", "id")


def component_get(*, component_id: int) -> Component:
    """One component with `version_count`, `latest_versions` and all `ordered_versions` (newest first)."""
    queryset = _with_latest(Component.objects.filter(pk=component_id)).prefetch_related(
        Prefetch("versions", queryset=ComponentVersion.objects.order_by("-version"), to_attr="ordered_versions")
    )
    component = queryset.first()
    if component is None:
        raise NotFound(f"Component {component_id} not found.")
    return component


def component_version_get(*, version_id: int) -> ComponentVersion:
    version = ComponentVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFound(f"Component version {version_id} not found.")
    return version


def component_versions_by_id(*, ids: Iterable[int]) -> dict[int, ComponentVersion]:
    """Many versions in one query (pipeline validation looks up every node's version)."""
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    return {v.pk: v for v in ComponentVersion.objects.filter(pk__in=wanted).select_related("component")}
