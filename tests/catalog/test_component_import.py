"""catalog.services.component_import: new, identical, changed and rejected specs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from catalog.models import Component, ComponentVersion
from catalog.services import component_import
from studio.errors import InvalidInput
from tests.catalog.catalog_factories import spec_dict, spec_yaml

pytestmark = pytest.mark.django_db


def test_it_imports_a_new_component_as_version_1(user) -> None:  # type: ignore[no-untyped-def]
    text = spec_yaml()
    version, created = component_import(text=text, user=user)

    assert created is True
    assert version.version == 1
    assert version.spec == spec_dict()
    assert version.source_yaml == text
    assert version.image == "pipeline-studio/sklearn:1"
    assert version.runnable is True
    assert version.created_by == user
    assert len(version.digest) == 64
    component = version.component
    assert (component.name, component.category) == ("Train random forest", "training")
    assert component.description == "Fits a scikit-learn random forest on a CSV dataset."


def test_it_returns_the_existing_version_for_an_identical_spec() -> None:
    first, _ = component_import(text=spec_yaml())
    # Same spec, different formatting and comments: same digest.
    again, created = component_import(text="# re-exported\n" + yaml.safe_dump(spec_dict(), default_flow_style=True))

    assert created is False
    assert again.pk == first.pk
    assert ComponentVersion.objects.count() == 1
    assert Component.objects.count() == 1


def test_a_changed_spec_becomes_the_next_version() -> None:
    v1, _ = component_import(text=spec_yaml())
    v2, created = component_import(
        text=spec_yaml(description="Now with class weights.", metadata={"annotations": {"category": "evaluation"}})
    )

    assert created is True
    assert (v1.version, v2.version) == (1, 2)
    assert v2.component_id == v1.component_id
    component = Component.objects.get()
    # The component shows its newest version's description and category.
    assert (component.description, component.category) == ("Now with class weights.", "evaluation")


def test_re_importing_an_older_spec_returns_that_version_and_keeps_the_newest_description() -> None:
    v1, _ = component_import(text=spec_yaml())
    component_import(text=spec_yaml(description="Second."))

    again, created = component_import(text=spec_yaml())

    assert (created, again.pk) == (False, v1.pk)
    assert Component.objects.get().description == "Second."
    assert ComponentVersion.objects.count() == 2


def test_it_imports_a_parsed_dict_and_keeps_readable_yaml() -> None:
    version, created = component_import(spec=spec_dict())
    assert created is True
    assert yaml.safe_load(version.source_yaml) == spec_dict()


def test_graph_components_are_stored_not_runnable() -> None:
    version, _ = component_import(spec=spec_dict(implementation={"graph": {"tasks": {}}}))
    assert (version.runnable, version.image) == (False, "")


def test_it_rejects_broken_yaml_with_the_line_and_stores_nothing(row_counts: Callable[[], tuple[int, int]]) -> None:
    with pytest.raises(InvalidInput) as caught:
        component_import(text="name: x\nimplementation:\n  container:\n    image: [unclosed\n")
    assert caught.value.problems[0].code == "invalid_yaml"
    assert "line" in caught.value.problems[0].message
    assert row_counts() == (0, 0)


def test_it_rejects_schema_errors_with_field_paths_and_stores_nothing(row_counts: Callable[[], tuple[int, int]]) -> None:
    component_import(text=spec_yaml())
    before = row_counts()
    bad = spec_dict(description="Changed but broken.")
    bad["implementation"]["container"]["args"][3] = {"inputValue": "n_trees"}

    with pytest.raises(InvalidInput) as caught:
        component_import(spec=bad)

    [problem] = caught.value.problems
    assert problem.field == "implementation.container.args[3].inputValue"
    assert row_counts() == before
    assert Component.objects.get().description == "Fits a scikit-learn random forest on a CSV dataset."


def test_components_are_told_apart_by_name() -> None:
    a, _ = component_import(spec=spec_dict("A"))
    b, _ = component_import(spec=spec_dict("B"))
    assert a.component_id != b.component_id
    assert (a.version, b.version) == (1, 1)
