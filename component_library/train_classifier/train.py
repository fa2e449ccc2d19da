"""Train a random forest or logistic regression classifier on a CSV dataset."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import NoReturn

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

ALGORITHMS = ("random_forest", "logistic_regression")


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
    # Parameters can arrive as "100" or "100.0" depending on who serialised them.
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
        fail(
            f"feature column(s) are not numeric: {', '.join(non_numeric)}; "
            "encode or drop them before training"
        )
    with_nans = {str(c): int(n) for c, n in X.isna().sum().items() if n}
    if with_nans:
        detail = ", ".join(f"{c} ({n})" for c, n in with_nans.items())
        fail(f"feature column(s) have missing values: {detail}; impute or drop them first")
    if y.isna().any():
        fail(f"target column {target_column!r} has {int(y.isna().sum())} missing value(s)")
    return X, y


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--training-data", required=True)
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--algorithm", default="random_forest")
    parser.add_argument("--n-estimators", type=parse_int, default=100)
    parser.add_argument("--max-depth", type=parse_int, default=None)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--seed", type=parse_int, default=42)
    parser.add_argument("--model", required=True)
    parser.add_argument("--metrics", required=True)
    args = parser.parse_args()

    algorithm = args.algorithm.strip().lower()
    if algorithm not in ALGORITHMS:
        fail(f"unknown algorithm {args.algorithm!r}; valid values are: {', '.join(ALGORITHMS)}")
    if args.n_estimators < 1:
        fail(f"n_estimators must be at least 1, got {args.n_estimators}")
    if args.max_depth is not None and args.max_depth < 1:
        fail(f"max_depth must be at least 1, got {args.max_depth}")
    if args.C <= 0:
        fail(f"C must be positive, got {args.C}")

    df = read_dataset(args.training_data, "training_data")
    X, y = split_features(df, args.target_column)
    n_classes = y.nunique()
    if n_classes < 2:
        fail(f"target column {args.target_column!r} has a single class ({y.iloc[0]!r}); need at least 2")
    print(f"training {algorithm} on {len(X)} rows, {X.shape[1]} features, {n_classes} classes")

    if algorithm == "random_forest":
        model = RandomForestClassifier(
            n_estimators=args.n_estimators, max_depth=args.max_depth, random_state=args.seed, n_jobs=1
        )
        print(f"n_estimators={args.n_estimators} max_depth={args.max_depth or 'unlimited'} seed={args.seed}")
    else:
        model = LogisticRegression(C=args.C, max_iter=5000, random_state=args.seed)
        print(f"C={args.C} seed={args.seed}")

    started = time.monotonic()
    model.fit(X, y)  # a DataFrame, so the model records feature_names_in_
    elapsed = time.monotonic() - started
    train_accuracy = float(model.score(X, y))

    metrics = {
        "train_accuracy": round(train_accuracy, 6),
        "n_samples": int(len(X)),
        "n_features": int(X.shape[1]),
        "n_classes": int(n_classes),
        "fit_seconds": round(elapsed, 3),
    }
    for path in (args.model, args.metrics):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    joblib.dump(model, args.model)
    with open(args.metrics, "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=2, allow_nan=False)
    print(f"fitted in {elapsed:.2f}s; training accuracy {train_accuracy:.4f}")
    print(f"model written to {args.model}")


if __name__ == "__main__":
    main()
