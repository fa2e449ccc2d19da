"""A small load → train → evaluate catalog for the pipelines tests (fresh rows per test)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from catalog.models import ComponentVersion
from tests.pipelines.pipeline_factories import component, port


@dataclass
class Catalog:
    load: ComponentVersion  # () -> table: Dataset
    train: ComponentVersion  # (data: Dataset, n_estimators: Integer = 100, rate: Float, label?: String) -> model: Model, metrics: Metrics
    evaluate: ComponentVersion  # (model: Model, data: Dataset) -> metrics: Metrics
    anything: ComponentVersion  # (file?: File, raw?: untyped) -> out: untyped


@pytest.fixture
def catalog(db: Any) -> Catalog:
    return Catalog(
        load=component("Load", outputs=[port("table", "Dataset")]),
        train=component(
            "Train",
            inputs=[
                port("data", "Dataset"),
                port("n_estimators", "Integer", default="100"),
                port("rate", "Float"),
                port("label", "String", optional=True),
            ],
            outputs=[port("model", "Model"), port("metrics", "Metrics")],
        ),
        evaluate=component(
            "Evaluate", inputs=[port("model", "Model"), port("data", "Dataset")], outputs=[port("metrics", "Metrics")]
        ),
        anything=component(
            "Anything", inputs=[port("file", "File", optional=True), port("raw", optional=True)], outputs=[port("out")]
        ),
    )
