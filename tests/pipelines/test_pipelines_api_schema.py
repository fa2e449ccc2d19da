from typing import Any

from drf_spectacular.generators import SchemaGenerator


def test_the_openapi_schema_describes_the_pipelines_api(db: Any) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert set(paths["/api/pipelines/"]) >= {"get", "post"}
    assert set(paths["/api/pipelines/{pipeline_id}/"]) >= {"get", "put", "patch", "delete"}
    assert "get" in paths["/api/pipelines/{pipeline_id}/versions/"]
    assert "get" in paths["/api/pipelines/{pipeline_id}/versions/{number}/"]
    assert "post" in paths["/api/pipelines/validate/"]
    listing = paths["/api/pipelines/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"page", "page_size", "search"}
    assert schema["components"]["schemas"]["PipelineVersion"]["properties"]["graph"]["properties"]["nodes"]["type"] == "array"
    items = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][items]["properties"]["results"]["items"]["$ref"].endswith("/PipelineSummary")
    summary = schema["components"]["schemas"]["PipelineVersionSummary"]["properties"]
    assert "node_count" in summary and "graph" not in summary
