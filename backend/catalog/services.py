"""Writes to the catalog: importing component specs and syncing the built-in library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from catalog import spec as specs
from catalog.models import Component, ComponentVersion
from studio.errors import InvalidInput, Problem

# Folders of component_library/ that hold no component (pipelines are examples).
LIBRARY_SKIP = frozenset({"pipelines"})


def component_import(
    *, text: str | None = None, spec: dict[str, Any] | None = None, user: AbstractBaseUser | None = None
) -> tuple[ComponentVersion, bool]:
    """Stores a component spec (YAML text or parsed dict) as a version of the component it names.

    Returns (version, created). The identical spec (same digest) returns its
    existing version with created=False; a changed spec becomes version n+1 and
    the component's description/category follow the newest version.
    Raises InvalidInput with every problem before touching the database.
    """
    parsed = specs.load_component(text=text, spec=spec)
    source_yaml = text if text is not None else yaml.safe_dump(parsed.spec, sort_keys=False, allow_unicode=True)
    with transaction.atomic():
        return _store(parsed, source_yaml=source_yaml, user=user)


def component_library_sync(*, directory: Path | str) -> list[tuple[ComponentVersion, bool]]:
    """Imports every `<directory>/*/component.yaml` (folders without one are skipped).

    All files are validated first and imported in one transaction, so a broken
    file (named in the error) leaves the catalog as it was.
    """
    root = Path(directory)
    if not root.is_dir():
        raise InvalidInput(f"Component library {root} is not a directory.", [Problem(code="not_found", message=f"{root} is not a directory")])
    parsed: list[tuple[specs.ComponentSpec, str]] = []
    problems: list[Problem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in LIBRARY_SKIP or folder.name.startswith((".", "_")):
            continue
        path = folder / "component.yaml"
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            parsed.append((specs.load_component(text=text), text))
        except InvalidInput as exc:
            problems.extend(
                Problem(code=p.code, message=f"{path}: {p.message}", node=p.node, port=p.port, field=p.field) for p in exc.problems
            )
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(code="unreadable", message=f"{path}: {exc}"))
    if problems:
        raise InvalidInput(f"Component library has invalid files: {problems[0].message}", problems)
    with transaction.atomic():
        return [_store(item, source_yaml=text, user=None) for item, text in parsed]


def _store(parsed: specs.ComponentSpec, *, source_yaml: str, user: AbstractBaseUser | None) -> tuple[ComponentVersion, bool]:
    """Must run inside a transaction: the row lock below lives until it commits."""
    # get_or_create survives a concurrent first import: the loser's INSERT
    # waits on the unique name, fails, and re-reads the winner's row.
    Component.objects.get_or_create(
        name=parsed.name, defaults={"description": parsed.description, "category": parsed.category}
    )
    # Lock the component row so two imports of the same component serialise:
    # the second one sees the first's version (digest match, or number n+1).
    component = Component.objects.select_for_update().get(name=parsed.name)

    existing = ComponentVersion.objects.filter(component=component, digest=parsed.digest).first()
    if existing is not None:
        return existing, False

    latest = ComponentVersion.objects.filter(component=component).aggregate(n=Max("version"))["n"] or 0
    version = ComponentVersion.objects.create(
        component=component,
        version=latest + 1,
        digest=parsed.digest,
        spec=parsed.spec,
        source_yaml=source_yaml,
        image=parsed.image,
        runnable=parsed.runnable,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    component.description = parsed.description
    component.category = parsed.category
    component.save(update_fields=["description", "category", "updated_at"])
    return version, True
