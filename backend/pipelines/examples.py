"""Example pipelines shipped in component_library/pipelines/*.json (the demo `make up` loads).

An example names components by their library folder (`"component": "train_classifier"`)
instead of a database id; loading imports that folder's component.yaml (a no-op
when the catalog has it already) and binds the node to that exact version.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from catalog.services import component_import
from pipelines.models import Pipeline
from pipelines.services import pipeline_create
from studio.errors import InvalidInput, Problem


def example_graph(document: dict[str, Any], *, library_dir: Path) -> dict[str, Any]:
    graph = copy.deepcopy(document["graph"])
    for node in graph.get("nodes") or []:
        folder = node.pop("component", None)
        if folder is None:
            continue
        spec_path = library_dir / folder / "component.yaml"
        if not spec_path.is_file():
            raise InvalidInput(
                f"Example node '{node.get('id')}' names component folder '{folder}', which has no component.yaml.",
                [Problem("unknown_component", f"no {spec_path}", node=node.get("id"))],
            )
        version, _ = component_import(text=spec_path.read_text(encoding="utf-8"))
        node["component_version"] = version.pk
    return graph


def examples_load(*, library_dir: Path, user: Any = None) -> list[tuple[Pipeline, bool]]:
    """Creates each example pipeline that does not exist yet; existing ones (maybe edited) are left alone."""
    loaded: list[tuple[Pipeline, bool]] = []
    for path in sorted((library_dir / "pipelines").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        existing = Pipeline.objects.filter(name__iexact=document["name"]).first()
        if existing is not None:
            loaded.append((existing, False))
            continue
        pipeline = pipeline_create(
            name=document["name"],
            description=document.get("description", ""),
            graph=example_graph(document, library_dir=library_dir),
            parameters=document.get("parameters", []),
            message=f"loaded from component_library/pipelines/{path.name}",
            user=user,
        )
        loaded.append((pipeline, True))
    return loaded
