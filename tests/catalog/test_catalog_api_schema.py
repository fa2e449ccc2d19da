"""The catalog endpoints describe themselves in OpenAPI without warnings."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_the_catalog_schema_generates_cleanly() -> None:
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include("catalog.api_urls"))])

    schema = generator.get_schema(request=None, public=True)

    validate_schema(schema)
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    assert set(schema["paths"]) == {
        "/api/components/",
        "/api/components/{id}/",
        "/api/component-versions/{id}/",
        "/api/components/import/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/components/"]["get"]["parameters"]}
    assert {"search", "category", "page", "page_size"} <= parameters
    request_types = set(schema["paths"]["/api/components/import/"]["post"]["requestBody"]["content"])
    assert request_types == {"application/json", "multipart/form-data"}
    assert {"ComponentSummary", "ComponentVersion", "Port"} <= set(schema["components"]["schemas"])
