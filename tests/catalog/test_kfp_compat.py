"""Third-party Kubeflow Pipelines v1 component files import unchanged.

tests/fixtures/kfp_components/ holds specs written in the style of public KFP
collections and, under kubeflow_pipelines/, real files from kubeflow/pipelines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catalog import spec as specs
from catalog.services import component_import
from tests.catalog.catalog_factories import FIXTURES, fixture_files, real_kfp_files

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_it_imports_the_file_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    version, created = component_import(text=text)

    assert created is True
    # Key for key what the file says: nothing dropped, renamed or defaulted.
    assert version.spec == yaml.safe_load(text)
    assert version.source_yaml == text
    assert version.digest == specs.spec_digest(yaml.safe_load(text))
    # Every port has a name and a type we can show (None = untyped).
    for port in [*specs.input_ports(version.spec), *specs.output_ports(version.spec)]:
        assert port["name"]
        assert port["type"] is None or isinstance(port["type"], str)
    assert version.runnable == ("container" in version.spec["implementation"])

    again, created_again = component_import(text=text)
    assert (again.pk, created_again) == (version.pk, False)


def test_there_are_enough_fixtures() -> None:
    assert len(real_kfp_files()) >= 30
    assert len(fixture_files()) - len(real_kfp_files()) >= 12


def test_the_fixtures_cover_the_hard_parts() -> None:
    texts = "\n".join(p.read_text(encoding="utf-8") for p in fixture_files())
    for needle in ("isPresent", "concat", "else:", "inputUri", "outputUri", "fileOutputs", "graph:", "GCSPath: {", "ApacheParquet", "XGBoostModel"):
        assert needle in texts, needle


def test_unknown_types_are_opaque_artifact_types() -> None:
    version, _ = component_import(text=(FIXTURES / "xgboost_predict_gcs.yaml").read_text(encoding="utf-8"))
    inputs = {p["name"]: p["type"] for p in specs.input_ports(version.spec)}
    assert inputs["Data path"] == "GCSPath"
    assert inputs["Model"] == "XGBoostModel"
    assert inputs["Project"] == "GCPProjectID"
