"""Versioning through the service: unchanged saves add nothing, changes add n+1."""

from copy import deepcopy
from typing import Any

import pytest

from pipelines import services
from pipelines.models import Pipeline, PipelineVersion
from studio.errors import InvalidInput
from tests.pipelines.pipeline_factories import sound_pipeline


def _create(catalog: Any, user: Any, name: str = "Iris") -> Pipeline:
    graph, parameters = sound_pipeline(catalog)
    return services.pipeline_create(name=name, description="", graph=graph, parameters=parameters, message="first", user=user)


def _save(pipeline: Pipeline, graph: Any, parameters: Any, user: Any = None, **fields: Any) -> tuple[Pipeline, PipelineVersion, bool]:
    return services.pipeline_update(
        pipeline=pipeline,
        name=fields.get("name", pipeline.name),
        description=fields.get("description", pipeline.description),
        graph=graph,
        parameters=parameters,
        message=fields.get("message", ""),
        user=user,
    )


def test_it_creates_version_one_with_the_author(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    (version,) = pipeline.versions.all()
    assert (version.number, version.message, version.author, pipeline.created_by) == (1, "first", user, user)
    assert version.parameters == [{"name": "trees", "type": "Integer", "default": 100, "description": ""}]


def test_it_does_not_version_an_unchanged_save(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    graph, parameters = sound_pipeline(catalog)
    before = Pipeline.objects.get(pk=pipeline.pk).updated_at
    _, version, created = _save(pipeline, graph, parameters, message="nothing new")
    assert (created, version.number, pipeline.versions.count()) == (False, 1, 1)
    assert Pipeline.objects.get(pk=pipeline.pk).updated_at == before


def test_it_treats_equivalent_spellings_as_unchanged(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    graph, _ = sound_pipeline(catalog)
    # Same content: keys in another order, schema_version left out (migrated), default as text, alias type.
    reordered = {"nodes": [dict(reversed(list(n.items()))) for n in graph["nodes"]]}
    _, _, created = _save(pipeline, reordered, [{"type": "int", "default": "100", "name": "trees"}])
    assert created is False


def test_it_saves_version_n_plus_one_when_the_graph_changes(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    graph, parameters = sound_pipeline(catalog)
    graph["nodes"][1]["arguments"]["rate"] = {"value": 0.2}
    _, version, created = _save(pipeline, graph, parameters, message="slower")
    assert (created, version.number, version.message) == (True, 2, "slower")
    assert version.graph["nodes"][1]["arguments"]["rate"] == {"value": 0.2}
    assert PipelineVersion.objects.get(pipeline=pipeline, number=1).graph["nodes"][1]["arguments"]["rate"] == {"value": 0.1}


def test_it_counts_moving_a_node_as_a_change(catalog: Any, user: Any) -> None:
    # The layout is part of the document the user saved; reopening v1 should show v1's layout.
    pipeline = _create(catalog, user)
    graph, parameters = sound_pipeline(catalog)
    graph["nodes"][0]["position"] = {"x": 10, "y": 40}
    assert _save(pipeline, graph, parameters)[2] is True


def test_it_saves_a_new_version_when_only_parameters_change(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    graph, _ = sound_pipeline(catalog)
    _, version, created = _save(pipeline, graph, [{"name": "trees", "type": "Integer", "default": 200}])
    assert (created, version.number) == (True, 2)


def test_it_renames_without_a_new_version(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    graph, parameters = sound_pipeline(catalog)
    saved, _, created = _save(pipeline, graph, parameters, name="Iris v2", description="renamed")
    assert created is False
    assert (saved.name, saved.description, saved.versions.count()) == ("Iris v2", "renamed", 1)


def test_it_keeps_numbering_after_reverting(catalog: Any, user: Any) -> None:
    pipeline = _create(catalog, user)
    graph, parameters = sound_pipeline(catalog)
    changed = deepcopy(graph)
    changed["nodes"][0]["label"] = "Load data"
    _save(pipeline, changed, parameters)
    _, version, created = _save(pipeline, graph, parameters)
    # Going back to v1's content is a new step in the history, not a jump back.
    assert (created, version.number) == (True, 3)


def test_it_stores_the_migrated_document(catalog: Any, user: Any) -> None:
    graph, parameters = sound_pipeline(catalog)
    old = {"steps": graph["nodes"]}
    pipeline = services.pipeline_create(name="Old", description="", graph=old, parameters=parameters, user=user)
    stored = pipeline.versions.get().graph
    assert stored["schema_version"] == 1 and "steps" not in stored and len(stored["nodes"]) == 3


def test_it_rejects_a_name_already_taken_in_any_case(catalog: Any, user: Any) -> None:
    _create(catalog, user, name="Iris")
    graph, parameters = sound_pipeline(catalog)
    with pytest.raises(InvalidInput) as caught:
        services.pipeline_create(name="  IRIS ", description="", graph=graph, parameters=parameters, user=user)
    assert [(p.code, p.field) for p in caught.value.problems] == [("unique", "name")]
    assert Pipeline.objects.count() == 1


def test_it_reports_the_name_and_the_graph_problems_together(catalog: Any, user: Any) -> None:
    _create(catalog, user, name="Iris")
    with pytest.raises(InvalidInput) as caught:
        services.pipeline_create(
            name="Iris", description="", graph={"schema_version": 1, "nodes": [{"id": "x"}]}, parameters=[], user=user
        )
    assert caught.value.message == "Pipeline has 3 problems."
    assert [p.code for p in caught.value.problems] == ["unique", "invalid_document", "invalid_document"]


def test_versions_are_immutable(catalog: Any, user: Any) -> None:
    version = _create(catalog, user).versions.get()
    version.message = "rewritten"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
