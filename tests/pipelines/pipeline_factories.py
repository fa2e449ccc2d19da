"""Factories and small document builders for the pipelines tests.

Component versions are created directly from a spec dict (the catalog's import
service is not needed to test graphs), the way the catalog stores them.

This directory has no __init__.py on purpose: as a package under a `tests/`
that is not one, it would be imported as `pipelines`, the Django app's name.
Hence the distinctive module name, which must not collide with other test
folders' helpers either.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import factory

from catalog.models import Component, ComponentVersion
from pipelines import graph as graph_lib
from pipelines import selectors


def port(name: str, type_: Any = None, **extra: Any) -> dict[str, Any]:
    """A KFP v1 input/output entry: port("n", "Integer", default="3"), port("x", optional=True)."""
    entry: dict[str, Any] = {"name": name}
    if type_ is not None:
        entry["type"] = type_
    entry.update(extra)
    return entry


def spec(name: str, inputs: list[dict[str, Any]] | None = None, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "inputs": inputs or [],
        "outputs": outputs or [],
        "implementation": {"container": {"image": "pipeline-studio/base:1", "command": ["true"]}},
    }


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    name = factory.Sequence(lambda n: f"Component {n}")


class ComponentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComponentVersion

    component = factory.SubFactory(ComponentFactory)
    version = 1
    spec = factory.LazyAttribute(lambda o: spec(o.component.name))
    digest = factory.LazyAttribute(lambda o: hashlib.sha256(json.dumps(o.spec, sort_keys=True).encode()).hexdigest())
    image = "pipeline-studio/base:1"
    runnable = True


def component(name: str, inputs: list[dict[str, Any]] | None = None, outputs: list[dict[str, Any]] | None = None, **kwargs: Any) -> ComponentVersion:
    return ComponentVersionFactory(component__name=name, spec=spec(name, inputs, outputs), **kwargs)


def node(node_id: str, component_version: ComponentVersion | int, x: float = 0, y: float = 0, **arguments: Any) -> dict[str, Any]:
    """A graph node; keyword arguments become its input bindings (use value/param/source below)."""
    cv_id = component_version if isinstance(component_version, int) else component_version.pk
    return {"id": node_id, "component_version": cv_id, "position": {"x": x, "y": y}, "arguments": arguments}


def value(v: Any) -> dict[str, Any]:
    return {"value": v}


def param(name: str) -> dict[str, Any]:
    return {"parameter": name}


def source(node_id: str, output: str) -> dict[str, Any]:
    return {"from": {"node": node_id, "output": output}}


def document(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": 1, "nodes": list(nodes)}


def check(graph: Any, parameters: Any = None) -> list[dict[str, Any]]:
    """Validate as the service does (component versions loaded from the database); problems as dicts."""
    problems = graph_lib.validate(graph, parameters or [], component_versions=selectors.component_versions_for_graph(graph))
    return [p.as_dict() for p in problems]


def codes(problems: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """(code, node, port) of each problem, the part every test asserts."""
    return [(p["code"], p.get("node"), p.get("port")) for p in problems]


def sound_pipeline(catalog: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A valid load → train → evaluate graph and its parameters, built on the `catalog` fixture."""
    graph = document(
        node("load", catalog.load),
        node("train", catalog.train, x=260, data=source("load", "table"), n_estimators=param("trees"), rate=value(0.1)),
        node("evaluate", catalog.evaluate, x=520, model=source("train", "model"), data=source("load", "table")),
    )
    return graph, [{"name": "trees", "type": "Integer", "default": 100}]
