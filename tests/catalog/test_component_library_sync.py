"""catalog.services.component_library_sync and `manage.py sync_component_library`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.models import Component, ComponentVersion
from catalog.services import component_library_sync
from studio.errors import InvalidInput
from tests.catalog.catalog_factories import spec_yaml

pytestmark = pytest.mark.django_db


def library(root: Path, files: dict[str, str]) -> Path:
    for folder, text in files.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        if text:
            (root / folder / "component.yaml").write_text(text, encoding="utf-8")
    return root


def test_it_loads_every_component_folder_and_skips_the_rest(tmp_path: Path) -> None:
    root = library(
        tmp_path,
        {
            "train": spec_yaml("Train"),
            "evaluate": spec_yaml("Evaluate"),
            "docs_only": "",  # a folder without component.yaml
            "pipelines": "not: [a component",  # example pipelines live here, never imported
        },
    )
    (root / "README.md").write_text("not a folder", encoding="utf-8")

    results = component_library_sync(directory=root)

    assert [(v.component.name, created) for v, created in results] == [("Evaluate", True), ("Train", True)]


def test_a_second_sync_changes_nothing_and_an_edit_adds_a_version(tmp_path: Path) -> None:
    root = library(tmp_path, {"train": spec_yaml("Train")})
    component_library_sync(directory=root)

    assert [created for _, created in component_library_sync(directory=root)] == [False]

    (root / "train" / "component.yaml").write_text(spec_yaml("Train", description="Edited."), encoding="utf-8")
    [(version, created)] = component_library_sync(directory=root)
    assert (created, version.version) == (True, 2)


def test_a_broken_file_is_named_and_nothing_is_imported(tmp_path: Path) -> None:
    root = library(
        tmp_path,
        {"a_good": spec_yaml("Good"), "b_broken": spec_yaml("Broken").replace("inputValue: n_estimators", "inputValue: n_trees")},
    )

    with pytest.raises(InvalidInput) as caught:
        component_library_sync(directory=root)

    [problem] = caught.value.problems
    assert str(root / "b_broken" / "component.yaml") in problem.message
    assert "'n_trees' is not a declared input" in problem.message
    assert problem.field == "implementation.container.args[3].inputValue"
    # Validated before writing: the good file was not imported either.
    assert (Component.objects.count(), ComponentVersion.objects.count()) == (0, 0)


def test_the_built_in_library_loads() -> None:
    expected = sorted(
        p.parent.name
        for p in Path(settings.COMPONENT_LIBRARY_DIR).glob("*/component.yaml")
        if p.parent.name != "pipelines"
    )
    results = component_library_sync(directory=settings.COMPONENT_LIBRARY_DIR)
    assert len(results) == len(expected) > 0
    assert all(created for _, created in results)


def test_the_command_prints_one_line_per_component(tmp_path: Path) -> None:
    root = library(tmp_path, {"train": spec_yaml("Train"), "load": spec_yaml("Load")})
    out = StringIO()
    call_command("sync_component_library", "--dir", str(root), stdout=out)
    call_command("sync_component_library", "--dir", str(root), stdout=(second := StringIO()))

    assert out.getvalue().splitlines()[:2] == ["created   Load v1", "created   Train v1"]
    assert second.getvalue().splitlines()[:2] == ["unchanged Load v1", "unchanged Train v1"]


def test_the_command_fails_with_every_problem(tmp_path: Path) -> None:
    root = library(tmp_path, {"x": "name: X\nimplementation: {container: {}}\nresources: {memory: lots}\n"})
    with pytest.raises(CommandError) as caught:
        call_command("sync_component_library", "--dir", str(root), stdout=StringIO())
    text = str(caught.value)
    assert "implementation.container.image" in text
    assert "resources.memory" in text
