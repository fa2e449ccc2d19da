"""GET /api/components/{id}/ and /api/component-versions/{id}/, and their 404s."""

from __future__ import annotations

import pytest

from catalog.services import component_import
from tests.catalog.catalog_factories import ComponentFactory, spec_dict

pytestmark = pytest.mark.django_db

VERSION_FIELDS = {
    "id", "component", "name", "version", "digest", "description", "category", "image",
    "inputs", "outputs", "resources", "source", "runnable", "spec", "created_at",
}


def test_a_component_shows_all_versions_newest_first(api) -> None:  # type: ignore[no-untyped-def]
    v1, _ = component_import(spec=spec_dict())
    v2, _ = component_import(spec=spec_dict(description="Better."))

    response = api.get(f"/api/components/{v1.component_id}/")

    assert response.status_code == 200
    body = response.json()
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["latest_version"]["id"] == v2.pk
    assert (body["version_count"], body["description"]) == (2, "Better.")


def test_a_version_has_the_documented_shape(api) -> None:  # type: ignore[no-untyped-def]
    version, _ = component_import(spec=spec_dict(resources={"cpu": "500m", "memory": "512Mi"}))

    response = api.get(f"/api/component-versions/{version.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == VERSION_FIELDS
    assert body["component"] == version.component_id
    assert (body["name"], body["version"], body["digest"]) == ("Train random forest", 1, version.digest)
    assert (body["category"], body["image"], body["runnable"]) == ("training", "pipeline-studio/sklearn:1", True)
    assert body["inputs"] == [
        {"name": "training_data", "type": "Dataset", "description": None, "default": None, "optional": False},
        {"name": "n_estimators", "type": "Integer", "description": None, "default": "100", "optional": False},
    ]
    assert [o["name"] for o in body["outputs"]] == ["model", "metrics"]
    assert body["resources"] == {"cpu": 0.5, "memory": "512Mi", "memory_bytes": 512 * 1024**2, "gpu": 0}
    assert body["source"] == {"repo": "pipeline-studio", "ref": "main", "path": "component_library/train"}
    assert body["spec"] == version.spec


def test_resources_default_when_the_spec_has_none(api) -> None:  # type: ignore[no-untyped-def]
    version, _ = component_import(spec=spec_dict(resources=None, source=None))
    body = api.get(f"/api/component-versions/{version.pk}/").json()
    assert body["resources"] == {"cpu": 1.0, "memory": "1Gi", "memory_bytes": 1024**3, "gpu": 0}
    assert body["source"] is None


@pytest.mark.parametrize("url", ["/api/components/{}/", "/api/component-versions/{}/"])
def test_missing_objects_are_404_in_the_error_shape(api, url: str) -> None:  # type: ignore[no-untyped-def]
    ComponentFactory()
    response = api.get(url.format(999999))
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"message", "problems"}
    assert "999999" in body["message"]
