"""Run the component scripts end to end.

Scripts that need scikit-learn run with `COMPONENT_PYTHON` (a venv with numpy,
pandas, scikit-learn, joblib) or this interpreter if it has them; failing
that, inside the `pipeline-studio/sklearn:1` image; failing both, those tests
are skipped. `noop` and `run_python_script` need only the standard library
and always run here.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.component_library.complib_runner import (
    DockerRunner,
    LocalRunner,
    assert_chain_formats,
    build_argv,
    docker_image_available,
    load_spec,
    python_with_sklearn,
    run_classifier_chain,
    strict_json,
)

Runner = LocalRunner | DockerRunner


def _sklearn_runner() -> Runner | None:
    python = python_with_sklearn()
    if python is not None:
        return LocalRunner(python)
    if docker_image_available("pipeline-studio/sklearn:1"):
        return DockerRunner()
    return None


SKLEARN_RUNNER = _sklearn_runner()
needs_sklearn = pytest.mark.skipif(
    SKLEARN_RUNNER is None,
    reason="no Python with scikit-learn (set COMPONENT_PYTHON) and no pipeline-studio/sklearn:1 image",
)


@pytest.fixture
def runner() -> Runner:
    assert SKLEARN_RUNNER is not None
    return SKLEARN_RUNNER


@pytest.fixture
def stdlib_runner() -> LocalRunner:
    return LocalRunner(sys.executable)


# --- the classifier chain ------------------------------------------------------


@needs_sklearn
@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["iris", "wine", "breast_cancer"])
def test_it_runs_the_classifier_chain_and_writes_the_documented_formats(
    runner: Runner, tmp_path: Path, dataset: str
) -> None:
    outputs = run_classifier_chain(runner, dataset, tmp_path)
    assert_chain_formats(outputs, dataset)
    assert outputs["scale.scaler"].stat().st_size > 0


@needs_sklearn
def test_it_lists_valid_names_for_an_unknown_dataset(runner: Runner, tmp_path: Path) -> None:
    result = runner.run("load_builtin_dataset", tmp_path, {"dataset_name": "mnist"})
    assert result.returncode == 2
    assert "unknown dataset 'mnist'" in result.stderr
    assert "iris, wine, breast_cancer, digits" in result.stderr


@needs_sklearn
def test_it_loads_digits_with_string_class_names(runner: Runner, tmp_path: Path) -> None:
    result = runner.run("load_builtin_dataset", tmp_path, {"dataset_name": "digits"}).check()
    header, first = result.outputs["table"].read_text().splitlines()[:2]
    assert header.split(",")[-1] == "target" and len(header.split(",")) == 65
    assert first.split(",")[-1] == "0"


@needs_sklearn
def test_training_names_the_missing_target_and_the_columns(runner: Runner, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a,b,c\n1,2,x\n3,4,y\n")
    result = runner.run(
        "train_classifier", tmp_path / "out", {"target_column": "label"}, {"training_data": data}
    )
    assert result.returncode == 2
    assert "target column 'label' not found; columns are: a, b, c" in result.stderr


@needs_sklearn
def test_logistic_regression_trains_and_evaluates(runner: Runner, tmp_path: Path) -> None:
    load = runner.run("load_builtin_dataset", tmp_path / "load", {"dataset_name": "breast_cancer"}).check()
    split = runner.run("train_test_split", tmp_path / "split", {}, {"data": load.outputs["table"]}).check()
    train = runner.run(
        "train_classifier", tmp_path / "train", {"algorithm": "logistic_regression", "C": 0.5},
        {"training_data": split.outputs["train"]},
    ).check()
    assert "--max-depth" not in " ".join(
        build_argv(load_spec("train_classifier"), {"training_data": "x"}, str, str)
    ), "max_depth is left out when not set"
    evaluate = runner.run(
        "evaluate_classifier", tmp_path / "eval", {},
        {"model": train.outputs["model"], "test_data": split.outputs["test"]},
    ).check()
    assert strict_json(evaluate.outputs["metrics"])["accuracy"] > 0.9
    assert len(strict_json(evaluate.outputs["roc"])["curves"]) == 1


@needs_sklearn
def test_split_without_stratify_needs_no_target(runner: Runner, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("x\n" + "\n".join(str(i) for i in range(10)) + "\n")
    result = runner.run(
        "train_test_split", tmp_path / "out", {"stratify": False, "test_fraction": 0.3}, {"data": data}
    ).check()
    assert len(result.outputs["test"].read_text().splitlines()) == 1 + 3
    assert len(result.outputs["train"].read_text().splitlines()) == 1 + 7


@needs_sklearn
def test_csv_from_file_normalises_a_semicolon_file(runner: Runner, tmp_path: Path) -> None:
    upload = tmp_path / "upload"
    upload.write_text("\ufeffcity;temp\nOslo;3.5\nRome;18\n", encoding="utf-8")
    result = runner.run("csv_from_file", tmp_path / "out", {"delimiter": "auto"}, {"file": upload}).check()
    assert result.outputs["table"].read_text() == "city,temp\nOslo,3.5\nRome,18.0\n"
    summary = result.outputs["summary"].read_text()
    assert "**rows:** 2" in summary and "| temp | float64 |" in summary


@needs_sklearn
def test_csv_from_file_rejects_binary_and_ragged_files(runner: Runner, tmp_path: Path) -> None:
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = runner.run("csv_from_file", tmp_path / "a", {}, {"file": binary})
    assert result.returncode == 2 and "not text" in result.stderr
    ragged = tmp_path / "ragged"
    ragged.write_text("a,b\n1,2\n1,2,3,4\n")
    result = runner.run("csv_from_file", tmp_path / "b", {}, {"file": ragged})
    assert result.returncode == 2 and "not parseable as CSV" in result.stderr


@needs_sklearn
def test_describe_table_reports_shape_and_classes(runner: Runner, tmp_path: Path) -> None:
    load = runner.run("load_builtin_dataset", tmp_path / "load", {}).check()
    result = runner.run("describe_table", tmp_path / "out", {}, {"data": load.outputs["table"]}).check()
    metrics = strict_json(result.outputs["metrics"])
    assert metrics["n_rows"] == 150 and metrics["n_columns"] == 5 and metrics["n_classes"] == 3
    assert "| setosa | 50 | 33.3% |" in result.outputs["report"].read_text()


@needs_sklearn
@pytest.mark.slow
def test_grid_search_refits_the_best_candidate(runner: Runner, tmp_path: Path) -> None:
    load = runner.run("load_builtin_dataset", tmp_path / "load", {}).check()
    search = runner.run(
        "grid_search_classifier", tmp_path / "search",
        {"param_grid": {"n_estimators": [5, 10], "max_depth": [None, 2]}, "cv_folds": 3},
        {"training_data": load.outputs["table"]},
    ).check()
    metrics = strict_json(search.outputs["metrics"])
    assert metrics["n_candidates"] == 4 and 0.8 < metrics["best_cv_score"] <= 1
    lines = search.outputs["results"].read_text().splitlines()
    assert lines[0].startswith("max_depth,n_estimators,mean_test_score")
    assert len(lines) == 1 + 4 and any(line.startswith("None,") for line in lines[1:])
    predict = runner.run(
        "batch_predict", tmp_path / "predict", {"include_probabilities": False},
        {"model": search.outputs["model"], "data": load.outputs["table"]},
    ).check()
    assert predict.outputs["predictions"].read_text().splitlines()[0].endswith(",target,prediction")


@needs_sklearn
def test_grid_search_names_valid_parameters_on_a_typo(runner: Runner, tmp_path: Path) -> None:
    load = runner.run("load_builtin_dataset", tmp_path / "load", {}).check()
    result = runner.run(
        "grid_search_classifier", tmp_path / "search", {"param_grid": {"trees": [1]}},
        {"training_data": load.outputs["table"]},
    )
    assert result.returncode == 2
    assert "unknown parameter(s) for random_forest: trees" in result.stderr
    assert "n_estimators" in result.stderr


# --- standard-library components -------------------------------------------------


def test_run_python_script_exposes_params_paths_and_metrics(stdlib_runner: Runner, tmp_path: Path) -> None:
    data = tmp_path / "in.txt"
    data.write_text("3\n4\n5\n")
    script = (
        "numbers = [int(x) for x in open(INPUT_PATH)]\n"
        "kept = [n for n in numbers if n >= PARAMS['min']]\n"
        "open(OUTPUT_PATH, 'w').write(','.join(map(str, kept)))\n"
        "METRICS['kept'] = len(kept)\n"
        "METRICS['mean'] = sum(kept) / len(kept)\n"
    )
    result = stdlib_runner.run(
        "run_python_script", tmp_path / "out", {"script": script, "parameters": {"min": 4}},
        {"input_data": data},
    ).check()
    assert result.outputs["output_data"].read_text() == "4,5"
    assert strict_json(result.outputs["metrics"]) == {"kept": 2, "mean": 4.5}
    assert 'running user script with parameters {"min": 4}' in result.stdout


def test_run_python_script_writes_an_empty_output_when_the_script_writes_none(
    stdlib_runner: Runner, tmp_path: Path
) -> None:
    result = stdlib_runner.run(
        "run_python_script", tmp_path, {"script": "assert INPUT_PATH is None\nprint('hi')"}
    ).check()
    assert result.outputs["output_data"].read_bytes() == b""
    assert strict_json(result.outputs["metrics"]) == {}
    assert "hi" in result.stdout


def test_run_python_script_fails_with_the_users_traceback(stdlib_runner: Runner, tmp_path: Path) -> None:
    result = stdlib_runner.run("run_python_script", tmp_path, {"script": "x = 1\nraise ValueError('bad row')"})
    assert result.returncode == 1
    assert 'File "<script>", line 2' in result.stderr and "ValueError: bad row" in result.stderr
    assert "run_script.py" not in result.stderr


def test_run_python_script_rejects_non_numeric_metrics(stdlib_runner: Runner, tmp_path: Path) -> None:
    result = stdlib_runner.run("run_python_script", tmp_path, {"script": "METRICS['grade'] = 'A'"})
    assert result.returncode == 2 and "METRICS['grade'] must be a number" in result.stderr


def test_noop_writes_the_message_and_exits_with_the_code(stdlib_runner: Runner, tmp_path: Path) -> None:
    result = stdlib_runner.run("noop", tmp_path, {"message": "hello", "exit_code": 3})
    assert result.returncode == 3
    assert result.outputs["out"].read_text() == "hello"
    assert "message='hello'" in result.stdout


def test_noop_stops_promptly_on_sigterm(tmp_path: Path) -> None:
    argv = build_argv(
        load_spec("noop"), {"sleep_seconds": 60}, str, lambda name: str(tmp_path / name)
    )
    argv[0] = sys.executable
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert "noop: message" in proc.stdout.readline()  # started and past the handler set-up
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 143
    assert time.monotonic() - started < 5


def test_run_python_script_parameters_default_is_an_empty_object() -> None:
    spec = load_spec("run_python_script")
    default = next(p["default"] for p in spec["inputs"] if p["name"] == "parameters")
    assert json.loads(default) == {}
