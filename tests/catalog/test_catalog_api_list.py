"""GET /api/components/: summaries, search, category filter, pagination."""

from __future__ import annotations

import pytest

from catalog.models import Category
from tests.catalog.catalog_factories import ComponentFactory, ComponentVersionFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["name"] for item in response.json()["results"]]


def test_it_lists_components_with_their_latest_version(api) -> None:  # type: ignore[no-untyped-def]
    component = ComponentFactory(name="Train forest", category=Category.TRAINING)
    ComponentVersionFactory(component=component)
    latest = ComponentVersionFactory(component=component)

    response = api.get("/api/components/")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    [item] = body["results"]
    assert set(item) == {"id", "name", "description", "category", "latest_version", "version_count", "created_at", "updated_at"}
    assert (item["name"], item["category"], item["version_count"]) == ("Train forest", "training", 2)
    assert item["latest_version"]["id"] == latest.pk
    assert item["latest_version"]["version"] == 2


def test_a_component_without_versions_has_no_latest_version(api) -> None:  # type: ignore[no-untyped-def]
    ComponentFactory()
    [item] = api.get("/api/components/").json()["results"]
    assert (item["latest_version"], item["version_count"]) == (None, 0)


def test_search_matches_every_word_in_name_or_description(api) -> None:  # type: ignore[no-untyped-def]
    ComponentFactory(name="Train random forest", description="Fits trees.")
    ComponentFactory(name="Evaluate classifier", description="Scores a random baseline forest.")
    ComponentFactory(name="Load CSV", description="Reads a file.")

    assert names(api.get("/api/components/", {"search": "FOREST"})) == ["Evaluate classifier", "Train random forest"]
    assert names(api.get("/api/components/", {"search": "random trees"})) == ["Train random forest"]
    assert names(api.get("/api/components/", {"search": "nothing-like-this"})) == []


def test_category_filters(api) -> None:  # type: ignore[no-untyped-def]
    ComponentFactory(name="A", category=Category.TRAINING)
    ComponentFactory(name="B", category=Category.EVALUATION)
    ComponentFactory(name="C", category=Category.TRAINING)

    assert names(api.get("/api/components/", {"category": "training"})) == ["A", "C"]
    assert names(api.get("/api/components/", {"category": "training", "search": "C"})) == ["C"]


def test_an_unknown_category_is_a_400_in_the_error_shape(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/components/", {"category": "magic"})
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert body["problems"][0]["field"] == "category"


def test_it_paginates(api) -> None:  # type: ignore[no-untyped-def]
    for _ in range(7):
        ComponentFactory()

    first = api.get("/api/components/", {"page_size": 3}).json()
    last = api.get("/api/components/", {"page_size": 3, "page": 3}).json()

    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert "page=2" in first["next"]
    assert first["previous"] is None
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert api.get("/api/components/", {"page": 9}).status_code == 404


def test_the_list_costs_the_same_queries_for_many_components(api, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        ComponentVersionFactory.create_batch(2, component=ComponentFactory())
    with django_assert_max_num_queries(5) as few:
        api.get("/api/components/")
    for _ in range(20):
        ComponentVersionFactory.create_batch(2, component=ComponentFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/components/")
