"""Every container component of a large public Kubeflow Pipelines v1 collection imports.

The collection is not in git: tests/fixtures/fetch_kfp_collection.py downloads
it from PyPI, pinned by version and sha256, into var/cache/kfp-collection/
(scripts/test.sh runs it before pytest). See that script for what is in it.

Each component file goes through the service the API uses
(`catalog.services.component_import`) into the real database. A container
component must import unchanged as runnable, a `graph` one unchanged as not
runnable. On failure the message lists every failing file with the field paths
the validator named.

In CI (CI set) or with STUDIO_REQUIRE_DOCKER set a missing collection fails (tests.conftest.skip_or_fail);
elsewhere it skips and says how to fetch it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog import spec as specs
from catalog.services import component_import
from studio.errors import InvalidInput
from tests.conftest import skip_or_fail
from tests.fixtures import fetch_kfp_collection as fetcher

pytestmark = pytest.mark.django_db


# What each pinned wheel holds: YAML files, of which v1 component files, and of
# those how many are `graph` components. Exact, since the wheels are pinned by
# sha256: a fetch that got less (or a pin bumped without looking) fails here.
EXPECTED: dict[str, dict[str, int]] = {
    "google-cloud-pipeline-components-1.0.45": {"yaml": 169, "components": 151, "graph": 0},
    "elyra-examples-kfp-catalog-0.1.0": {"yaml": 4, "components": 4, "graph": 0},
}

# Component files that are not KFP v1 components, though they look like one.
# Each must still be refused for exactly the reason given (checked below), so
# that an exclusion cannot hide another problem, and the test says so the day
# one of them imports.
_V2_EXECUTOR = (
    "a KFP v2 lightweight Python component (`python3 -m kfp.v2.components.executor_main "
    "--executor_input {executorInput: null}`): the program reads the v2 ExecutorInput JSON and "
    "writes executor_output.json, a protocol only the v2 runtime provides; `executorInput` is refused "
    "on purpose (docs/component-spec.md, Placeholders)"
)
EXCLUDED: dict[str, tuple[str, set[str]]] = {
    # path: (reason, the field paths the validator must name, all of them `unknown_placeholder`)
    "google-cloud-pipeline-components-1.0.45/google_cloud_pipeline_components/experimental/automl/tabular/split_materialized_data.yaml": (
        _V2_EXECUTOR, {"implementation.container.args[1].executorInput"},
    ),
    "google-cloud-pipeline-components-1.0.45/google_cloud_pipeline_components/experimental/tensorflow_probability/anomaly_detection/component.yaml": (
        _V2_EXECUTOR, {"implementation.container.args[1].executorInput"},
    ),
    "google-cloud-pipeline-components-1.0.45/google_cloud_pipeline_components/experimental/tensorflow_probability/anomaly_detection/postprocess.yaml": (
        _V2_EXECUTOR, {"implementation.container.args[1].executorInput"},
    ),
    "google-cloud-pipeline-components-1.0.45/google_cloud_pipeline_components/experimental/tensorflow_probability/anomaly_detection/preprocess.yaml": (
        _V2_EXECUTOR, {"implementation.container.args[1].executorInput"},
    ),
}


def _not_a_component(data: Any) -> str | None:
    """Why a YAML file of the collection is no component at all, or None when it is (or may be) one.

    Only kinds recognised here are left out; any other file is imported, so an
    unexpected one fails with its field paths instead of vanishing.
    """
    if isinstance(data, dict) and "implementation" not in data:
        if {"pipelineInfo", "deploymentSpec", "root"} <= data.keys():
            return "a compiled KFP v2 pipeline (PipelineSpec IR), not a component.yaml"
        if set(data) == {"steps"}:
            return "a Cloud Build configuration"
    return None


def _collection() -> tuple[Path, list[dict[str, Any]]]:
    root = fetcher.collection_dir()
    manifest = root / fetcher.MANIFEST
    how = f"fetch it with `{fetcher.FETCH_COMMAND}` (scripts/test.sh does)"
    if not manifest.is_file():
        message = f"the public KFP component collection is not in {root}: {how}"
        skip_or_fail(message)
    packages = json.loads(manifest.read_text(encoding="utf-8"))["packages"]
    pinned = {(p.name, p.version, p.sha256) for p in fetcher.PINS}
    fetched = {(p["name"], p["version"], p["sha256"]) for p in packages}
    assert fetched == pinned, f"{manifest} is from other pins than {Path(fetcher.__file__).name}'s: {how}"
    return root, packages


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    """The collection's files, sorted into components and non-components, with per-package counts."""
    root, packages = _collection()
    components: dict[str, str] = {}  # relative path -> text
    skipped: dict[str, str] = {}  # relative path -> why it is not a component
    counts: dict[str, Counter[str]] = {}
    missing: list[str] = []
    for package in packages:
        count = counts.setdefault(package["folder"], Counter())
        for name in package["files"]:
            rel = f"{package['folder']}/{name}"
            path = root / rel
            if not path.is_file():
                missing.append(rel)
                continue
            text = path.read_text(encoding="utf-8")
            count["yaml"] += 1
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                data = None  # imported all the same, to report it
            why = _not_a_component(data)
            if why is not None:
                skipped[rel] = why
                continue
            components[rel] = text
            count["components"] += 1
            implementation = data.get("implementation") if isinstance(data, dict) else None
            if isinstance(implementation, dict) and "graph" in implementation:
                count["graph"] += 1
    assert not missing, f"files of the manifest are missing; fetch again with `{fetcher.FETCH_COMMAND}`: {missing}"
    return {"components": components, "skipped": skipped, "counts": counts}


def test_the_whole_pinned_collection_is_there(collection: dict[str, Any]) -> None:
    counts = {folder: {k: count[k] for k in ("yaml", "components", "graph")} for folder, count in collection["counts"].items()}
    assert counts == EXPECTED
    assert set(EXCLUDED) <= set(collection["components"]), "an excluded file is no longer in the collection"


def test_every_component_of_the_collection_imports_unchanged(collection: dict[str, Any]) -> None:
    failures: list[str] = []
    imported = Counter[str]()
    for rel, text in sorted(collection["components"].items()):
        if rel in EXCLUDED:
            continue
        try:
            version, _ = component_import(text=text)
        except InvalidInput as exc:
            # Each message starts with the field path (`implementation.container.args[1].inputValue: ...`).
            failures.append(rel + "".join(f"\n    [{p.code}] {p.message}" for p in exc.problems))
            continue
        data = specs.parse_yaml(text)
        problems = []
        if version.spec != data or version.source_yaml != text:
            problems.append("stored spec differs from the file")
        kind = "container" if "container" in data["implementation"] else "graph"
        if version.runnable != (kind == "container"):
            problems.append(f"{kind} component stored with runnable={version.runnable}")
        if kind == "container" and version.image != data["implementation"]["container"]["image"]:
            problems.append(f"image stored as {version.image!r}")
        again, created = component_import(text=text)
        if (again.pk, created) != (version.pk, False):
            problems.append("importing it again made a new version")
        if problems:
            failures.append(f"{rel}\n    {'; '.join(problems)}")
        else:
            imported[kind] += 1
    assert not failures, f"{len(failures)} component files of the public collection do not import:\n" + "\n".join(failures)
    expected_graph = sum(e["graph"] for e in EXPECTED.values())
    expected_container = sum(e["components"] for e in EXPECTED.values()) - expected_graph - len(EXCLUDED)
    assert (imported["container"], imported["graph"]) == (expected_container, expected_graph)


@pytest.mark.parametrize("rel", sorted(EXCLUDED))
def test_an_excluded_file_is_refused_only_for_its_stated_reason(collection: dict[str, Any], rel: str) -> None:
    reason, fields = EXCLUDED[rel]
    try:
        component_import(text=collection["components"][rel])
    except InvalidInput as exc:
        got = {(p.code, p.field) for p in exc.problems}
        assert got == {("unknown_placeholder", f) for f in fields}, f"{rel} (excluded as {reason}) fails otherwise: {got}"
    else:
        pytest.fail(f"{rel} now imports: remove it from EXCLUDED (it was excluded as {reason})")


def test_only_known_kinds_of_non_component_files_are_left_out(collection: dict[str, Any]) -> None:
    kinds = Counter(collection["skipped"].values())
    assert kinds == {
        "a compiled KFP v2 pipeline (PipelineSpec IR), not a component.yaml": 17,
        "a Cloud Build configuration": 1,
    }
