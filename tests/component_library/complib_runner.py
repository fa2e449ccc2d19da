"""Run a built-in component from its component.yaml, the way the executor does.

The command line is built from the spec's placeholders (inputValue,
inputPath, outputPath, concat, if/isPresent), so these tests check the spec
and the script together. Two runners:

- `LocalRunner` runs the script with a Python that has scikit-learn
  (`COMPONENT_PYTHON`, else this interpreter), mapping /components to the
  working copy and /inputs, /outputs to host paths.
- `DockerRunner` runs it in the worker image with the executor's restrictions:
  no network, read-only root, tmpfs /tmp, uid 1000, each input bind-mounted
  read-only at /inputs/<name>, a writable /outputs.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LIBRARY = Path(__file__).resolve().parents[2] / "component_library"
# Mount the working copy over the image's /components so the code under test
# is the code in this checkout, not whatever the image was last built with.
MOUNT_WORKING_COPY = os.environ.get("COMPONENT_TEST_USE_IMAGE_CODE") != "1"


def load_spec(folder: str) -> dict[str, Any]:
    with open(LIBRARY / folder / "component.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def build_argv(
    spec: dict[str, Any],
    arguments: dict[str, Any],
    input_path: Any,
    output_path: Any,
) -> list[str]:
    inputs = {p["name"]: p for p in spec.get("inputs", [])}
    unknown = set(arguments) - set(inputs)
    assert not unknown, f"unknown inputs {unknown}"
    values: dict[str, str] = {}
    for name, port in inputs.items():
        if name in arguments:
            value = arguments[name]
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, dict | list):
                value = json.dumps(value)
            values[name] = str(value)
        elif "default" in port:
            values[name] = port["default"]
        elif not port.get("optional"):
            raise AssertionError(f"required input {name!r} not given")

    def expand(node: Any) -> list[str]:
        if isinstance(node, str | int | float):
            return [str(node)]
        if isinstance(node, list):
            return [part for item in node for part in expand(item)]
        ((kind, value),) = node.items()
        if kind == "inputValue":
            return [values[value]]
        if kind == "inputPath":
            return [input_path(value)]
        if kind == "outputPath":
            return [output_path(value)]
        if kind == "concat":
            return ["".join(expand(value))]
        if kind == "if":
            branch = value.get("then" if value["cond"]["isPresent"] in values else "else", [])
            return expand(branch)
        raise AssertionError(f"unknown placeholder {kind}")

    container = spec["implementation"]["container"]
    return expand(container["command"]) + expand(container["args"])


@dataclass
class StepResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, Path] = field(default_factory=dict)

    def check(self) -> StepResult:
        assert self.returncode == 0, f"exit {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        return self


class LocalRunner:
    def __init__(self, python: str) -> None:
        self.python = python

    def run(
        self, folder: str, out_dir: Path, arguments: dict[str, Any] | None = None,
        artifacts: dict[str, Path] | None = None, timeout: float = 300,
    ) -> StepResult:
        spec = load_spec(folder)
        artifacts = artifacts or {}
        out_dir.mkdir(parents=True, exist_ok=True)
        argv = build_argv(
            spec,
            {**(arguments or {}), **{k: "<artifact>" for k in artifacts}},
            lambda name: str(artifacts[name]),
            lambda name: str(out_dir / name),
        )
        argv = [self.python if a == "python3" else a.replace("/components/", f"{LIBRARY}/") for a in argv]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
        outputs = {p["name"]: out_dir / p["name"] for p in spec["outputs"]}
        return StepResult(proc.returncode, proc.stdout, proc.stderr, outputs)


class DockerRunner:
    def run(
        self, folder: str, out_dir: Path, arguments: dict[str, Any] | None = None,
        artifacts: dict[str, Path] | None = None, timeout: float = 300,
    ) -> StepResult:
        spec = load_spec(folder)
        container = spec["implementation"]["container"]
        artifacts = artifacts or {}
        out_dir.mkdir(parents=True, exist_ok=True)
        out_dir.chmod(0o777)  # the step runs as uid 1000
        argv = build_argv(
            spec,
            {**(arguments or {}), **{k: "<artifact>" for k in artifacts}},
            lambda name: f"/inputs/{name}",
            lambda name: f"/outputs/{name}",
        )
        docker = [
            "docker", "run", "--rm", "--network", "none", "--read-only",
            "--tmpfs", "/tmp", "--user", "1000:1000", "-e", "HOME=/tmp",
            "-v", f"{out_dir}:/outputs",
        ]
        for key, value in container.get("env", {}).items():
            docker += ["-e", f"{key}={value}"]
        for name, path in artifacts.items():
            docker += ["-v", f"{path}:/inputs/{name}:ro"]
        if MOUNT_WORKING_COPY and container["image"].startswith("pipeline-studio/sklearn"):
            docker += ["-v", f"{LIBRARY}:/components:ro"]
        docker += ["--entrypoint", argv[0], container["image"], *argv[1:]]
        proc = subprocess.run(docker, capture_output=True, text=True, timeout=timeout)
        outputs = {p["name"]: out_dir / p["name"] for p in spec["outputs"]}
        return StepResult(proc.returncode, proc.stdout, proc.stderr, outputs)


def python_with_sklearn() -> str | None:
    python = os.environ.get("COMPONENT_PYTHON") or sys.executable
    probe = subprocess.run(
        [python, "-c", "import numpy, pandas, sklearn, joblib"], capture_output=True, timeout=120
    )
    return python if probe.returncode == 0 else None


def docker_image_available(image: str) -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        probe = subprocess.run(["docker", "image", "inspect", image], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def strict_json(path: Path) -> Any:
    """Parse JSON the way a browser would: NaN and Infinity are errors."""

    def reject(token: str) -> Any:
        raise AssertionError(f"{path.name}: {token} is not valid JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)


def run_classifier_chain(runner: Any, dataset: str, work: Path) -> dict[str, Path]:
    """load -> split -> scale -> train -> evaluate -> predict; returns every output."""
    load = runner.run("load_builtin_dataset", work / "load", {"dataset_name": dataset}).check()
    split = runner.run(
        "train_test_split", work / "split", {"test_fraction": 0.25, "seed": 7},
        {"data": load.outputs["table"]},
    ).check()
    scale = runner.run(
        "standard_scaler", work / "scale", {},
        {"train": split.outputs["train"], "test": split.outputs["test"]},
    ).check()
    train = runner.run(
        "train_classifier", work / "train", {"n_estimators": 25, "max_depth": 4},
        {"training_data": scale.outputs["train_scaled"]},
    ).check()
    evaluate = runner.run(
        "evaluate_classifier", work / "evaluate", {},
        {"model": train.outputs["model"], "test_data": scale.outputs["test_scaled"]},
    ).check()
    predict = runner.run(
        "batch_predict", work / "predict", {"target_column": "target"},
        {"model": train.outputs["model"], "data": scale.outputs["test_scaled"]},
    ).check()
    outputs: dict[str, Path] = {}
    for step, result in [("load", load), ("split", split), ("scale", scale), ("train", train),
                         ("evaluate", evaluate), ("predict", predict)]:
        assert result.stdout.strip(), f"{step} printed no progress"
        outputs.update({f"{step}.{name}": path for name, path in result.outputs.items()})
    return outputs


EXPECTED_CLASSES = {
    "iris": ["setosa", "versicolor", "virginica"],
    "wine": ["class_0", "class_1", "class_2"],
    "breast_cancer": ["benign", "malignant"],
}


def assert_chain_formats(outputs: dict[str, Path], dataset: str) -> None:
    """The artifact formats the backend previews and the UI draws."""
    import csv

    classes = EXPECTED_CLASSES[dataset]
    with open(outputs["load.table"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted({r["target"] for r in rows}) == classes, "target holds class names"

    with open(outputs["split.test"], newline="", encoding="utf-8") as handle:
        n_test = sum(1 for _ in csv.DictReader(handle))

    for key in ("train.metrics", "evaluate.metrics"):
        metrics = strict_json(outputs[key])
        assert isinstance(metrics, dict) and metrics
        assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()), metrics
    train_metrics = strict_json(outputs["train.metrics"])
    assert {"train_accuracy", "n_samples", "n_features"} <= set(train_metrics)
    metrics = strict_json(outputs["evaluate.metrics"])
    assert {"accuracy", "f1_macro", "precision_macro", "recall_macro", "n_test"} <= set(metrics)
    assert metrics["n_test"] == n_test
    assert metrics["accuracy"] > 0.8, metrics

    matrix = strict_json(outputs["evaluate.confusion_matrix"])
    assert set(matrix) == {"labels", "matrix"}
    assert matrix["labels"] == classes
    assert len(matrix["matrix"]) == len(classes)
    assert all(len(row) == len(classes) and all(type(n) is int for n in row) for row in matrix["matrix"])
    assert sum(map(sum, matrix["matrix"])) == n_test
    correct = sum(matrix["matrix"][i][i] for i in range(len(classes)))
    assert abs(correct / n_test - metrics["accuracy"]) < 1e-6

    roc = strict_json(outputs["evaluate.roc"])
    curves = roc["curves"]
    expected_labels = [classes[1]] if len(classes) == 2 else classes
    assert [c["label"] for c in curves] == expected_labels
    for curve in curves:
        assert set(curve) == {"label", "fpr", "tpr", "thresholds", "auc"}
        assert len(curve["fpr"]) == len(curve["tpr"]) == len(curve["thresholds"]) <= 201
        assert curve["fpr"][0] == 0 and curve["fpr"][-1] == 1 and curve["tpr"][-1] == 1
        assert 0.5 < curve["auc"] <= 1

    with open(outputs["predict.predictions"], newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        predictions = list(reader)
        header = reader.fieldnames or []
    assert len(predictions) == n_test
    assert "prediction" in header and "target" in header
    assert [h for h in header if h.startswith("proba_")] == [f"proba_{c}" for c in classes]
    assert {r["prediction"] for r in predictions} <= set(classes)
    for row in predictions[:5]:
        assert abs(sum(float(row[f"proba_{c}"]) for c in classes) - 1) < 1e-3
