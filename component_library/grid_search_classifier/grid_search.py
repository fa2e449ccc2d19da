"""Cross-validated grid search over a classifier; refit and save the best."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any, NoReturn

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold

DEFAULT_GRIDS: dict[str, dict[str, list[Any]]] = {
    "random_forest": {"n_estimators": [50, 100, 200], "max_depth": [None, 3, 6]},
    "logistic_regression": {"C": [0.01, 0.1, 1.0, 10.0, 100.0]},
}


def fail(message: str) -> NoReturn:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def stop_on_sigterm() -> None:
    # As PID 1 in a container, Python ignores SIGTERM unless a handler exists.
    def handler(signum: int, frame: object) -> None:
        print("received SIGTERM, stopping", flush=True)
        os._exit(143)

    signal.signal(signal.SIGTERM, handler)


def parse_int(text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not number.is_integer():
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    return int(number)


def read_dataset(path: str, what: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        fail(f"{what}: file {path} does not exist")
    except pd.errors.EmptyDataError:
        fail(f"{what}: the file is empty (expected a CSV with a header row)")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        fail(f"{what}: not a readable CSV file ({exc})")
    if df.empty:
        fail(f"{what}: the CSV has a header but no rows")
    return df


def split_features(df: pd.DataFrame, target_column: str) -> tuple[pd.DataFrame, pd.Series]:
    if target_column not in df.columns:
        fail(f"target column {target_column!r} not found; columns are: {', '.join(map(str, df.columns))}")
    X = df.drop(columns=[target_column])
    y = df[target_column]
    if X.shape[1] == 0:
        fail("no feature columns: the data holds only the target column")
    non_numeric = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if non_numeric:
        fail(f"feature column(s) are not numeric: {', '.join(non_numeric)}; encode or drop them before training")
    with_nans = [str(c) for c, n in X.isna().sum().items() if n]
    if with_nans:
        fail(f"feature column(s) have missing values: {', '.join(with_nans)}; impute or drop them first")
    if y.isna().any():
        fail(f"target column {target_column!r} has missing values")
    return X, y


def make_estimator(algorithm: str, seed: int) -> Any:
    if algorithm == "random_forest":
        return RandomForestClassifier(random_state=seed, n_jobs=1)
    return LogisticRegression(max_iter=5000, random_state=seed)


def parse_grid(text: str, estimator: Any, algorithm: str) -> dict[str, list[Any]]:
    try:
        grid = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        fail(f"param_grid is not valid JSON ({exc})")
    if not isinstance(grid, dict):
        fail(f"param_grid must be a JSON object of parameter -> list of values, got {type(grid).__name__}")
    if not grid:
        grid = DEFAULT_GRIDS[algorithm]
        print(f"param_grid is empty; using the built-in grid {json.dumps(grid)}")
    valid = sorted(estimator.get_params())
    unknown = [k for k in grid if k not in valid]
    if unknown:
        fail(f"unknown parameter(s) for {algorithm}: {', '.join(unknown)}; valid ones are: {', '.join(valid)}")
    cleaned = {}
    for key, values in grid.items():
        values = values if isinstance(values, list) else [values]
        if not values:
            fail(f"param_grid[{key!r}] is an empty list")
        cleaned[key] = values
    return cleaned


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--training-data", required=True)
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--algorithm", default="random_forest")
    parser.add_argument("--param-grid", default="{}")
    parser.add_argument("--cv-folds", type=parse_int, default=5)
    parser.add_argument("--scoring", default="accuracy")
    parser.add_argument("--seed", type=parse_int, default=42)
    parser.add_argument("--model", required=True)
    parser.add_argument("--metrics", required=True)
    parser.add_argument("--results", required=True)
    args = parser.parse_args()

    algorithm = args.algorithm.strip().lower()
    if algorithm not in DEFAULT_GRIDS:
        fail(f"unknown algorithm {args.algorithm!r}; valid values are: {', '.join(DEFAULT_GRIDS)}")
    if args.cv_folds < 2:
        fail(f"cv_folds must be at least 2, got {args.cv_folds}")
    try:
        get_scorer(args.scoring)
    except ValueError:
        fail(f"unknown scoring {args.scoring!r}; use a scikit-learn scorer name such as accuracy, f1_macro, roc_auc")

    df = read_dataset(args.training_data, "training_data")
    X, y = split_features(df, args.target_column)
    smallest = int(y.value_counts().min())
    if y.nunique() < 2:
        fail(f"target column {args.target_column!r} has a single class; need at least 2")
    if smallest < args.cv_folds:
        fail(f"the rarest class has {smallest} row(s), fewer than cv_folds={args.cv_folds}; lower cv_folds")

    estimator = make_estimator(algorithm, args.seed)
    grid = parse_grid(args.param_grid, estimator, algorithm)
    n_candidates = 1
    for values in grid.values():
        n_candidates *= len(values)
    print(f"{algorithm}: {n_candidates} candidate(s) x {args.cv_folds} folds on {len(X)} rows, scoring={args.scoring}")

    search = GridSearchCV(
        estimator,
        grid,
        scoring=args.scoring,
        cv=StratifiedKFold(n_splits=args.cv_folds, shuffle=True, random_state=args.seed),
        n_jobs=1,
        refit=True,
        error_score="raise",
    )
    started = time.monotonic()
    try:
        search.fit(X, y)
    except ValueError as exc:
        fail(f"grid search failed: {exc}")
    elapsed = time.monotonic() - started

    # Spell None out: pandas would turn it into NaN, which reads as "missing".
    results = pd.DataFrame(
        [{k: "None" if v is None else v for k, v in p.items()} for p in search.cv_results_["params"]]
    )
    results["mean_test_score"] = search.cv_results_["mean_test_score"].round(6)
    results["std_test_score"] = search.cv_results_["std_test_score"].round(6)
    results["rank_test_score"] = search.cv_results_["rank_test_score"]
    results["mean_fit_seconds"] = search.cv_results_["mean_fit_time"].round(4)
    results = results.sort_values("rank_test_score", kind="stable")

    metrics: dict[str, float | int] = {
        "best_cv_score": round(float(search.best_score_), 6),
        "n_candidates": n_candidates,
        "cv_folds": args.cv_folds,
        "search_seconds": round(elapsed, 3),
    }
    for key, value in search.best_params_.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            metrics[f"best_{key}"] = value

    for path in (args.model, args.metrics, args.results):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    joblib.dump(search.best_estimator_, args.model)
    results.to_csv(args.results, index=False)
    with open(args.metrics, "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=2, allow_nan=False)
    print(f"best {args.scoring} {search.best_score_:.4f} with {search.best_params_} ({elapsed:.1f}s)")


if __name__ == "__main__":
    main()
