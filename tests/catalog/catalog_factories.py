"""Spec builders and model factories for the catalog tests.

No __init__.py in this folder on purpose: as a package under a `tests/` that is
not one, it would be imported as `catalog`, the Django app's name. Hence the
distinctive module names (they share one namespace with other test folders).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import factory
import yaml

from catalog.models import Category, Component, ComponentVersion
from catalog.spec import spec_digest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kfp_components"


def spec_dict(name: str = "Train random forest", **overrides: Any) -> dict[str, Any]:
    """The DESIGN.md example spec; top-level keys in `overrides` replace the example's."""
    spec: dict[str, Any] = {
        "name": name,
        "description": "Fits a scikit-learn random forest on a CSV dataset.",
        "metadata": {"annotations": {"category": "training"}},
        "inputs": [
            {"name": "training_data", "type": "Dataset"},
            {"name": "n_estimators", "type": "Integer", "default": "100"},
        ],
        "outputs": [{"name": "model", "type": "Model"}, {"name": "metrics", "type": "Metrics"}],
        "implementation": {
            "container": {
                "image": "pipeline-studio/sklearn:1",
                "command": ["python3", "/app/train.py"],
                "args": [
                    "--data", {"inputPath": "training_data"},
                    "--n-estimators", {"inputValue": "n_estimators"},
                    "--model", {"outputPath": "model"},
                    "--metrics", {"outputPath": "metrics"},
                ],
                "env": {"PYTHONUNBUFFERED": "1"},
            }
        },
        "resources": {"cpu": 1, "memory": "1Gi", "gpu": 0},
        "source": {"repo": "pipeline-studio", "ref": "main", "path": "component_library/train"},
    }
    spec.update(copy.deepcopy(overrides))
    return spec


def spec_yaml(name: str = "Train random forest", **overrides: Any) -> str:
    return yaml.safe_dump(spec_dict(name, **overrides), sort_keys=False)


def with_args(*args: Any, **overrides: Any) -> dict[str, Any]:
    """The example spec with its container args replaced."""
    spec = spec_dict(**overrides)
    spec["implementation"]["container"]["args"] = list(args)
    return spec


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.rglob("*.yaml"))


def real_kfp_files() -> list[Path]:
    return sorted((FIXTURES / "kubeflow_pipelines").glob("*.yaml"))


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    name = factory.Sequence(lambda n: f"Component {n:03d}")
    description = factory.LazyAttribute(lambda o: f"Does the work of {o.name}.")
    category = Category.OTHER


class ComponentVersionFactory(factory.django.DjangoModelFactory):
    """A stored version, consistent with what the import service writes."""

    class Meta:
        model = ComponentVersion

    component = factory.SubFactory(ComponentFactory)
    version = factory.LazyAttribute(lambda o: o.component.versions.count() + 1)
    spec = factory.LazyAttribute(
        lambda o: spec_dict(
            o.component.name,
            description=f"{o.component.description} (v{o.version})",
            metadata={"annotations": {"category": o.component.category}},
        )
    )
    digest = factory.LazyAttribute(lambda o: spec_digest(o.spec))
    image = "pipeline-studio/sklearn:1"
    runnable = True
