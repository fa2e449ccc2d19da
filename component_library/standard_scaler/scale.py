"""Fit a StandardScaler on the training CSV and apply it to train and test."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import NoReturn

import joblib
import pandas as pd
from sklearn.preprocessing import StandardScaler


def fail(message: str) -> NoReturn:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def stop_on_sigterm() -> None:
    # As PID 1 in a container, Python ignores SIGTERM unless a handler exists.
    def handler(signum: int, frame: object) -> None:
        print("received SIGTERM, stopping", flush=True)
        os._exit(143)

    signal.signal(signal.SIGTERM, handler)


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


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--train-scaled", required=True)
    parser.add_argument("--test-scaled", required=True)
    parser.add_argument("--scaler", required=True)
    args = parser.parse_args()

    train = read_dataset(args.train, "train")
    test = read_dataset(args.test, "test")

    candidates = [c for c in train.columns if c != args.target_column]
    numeric = [c for c in candidates if pd.api.types.is_numeric_dtype(train[c]) and not pd.api.types.is_bool_dtype(train[c])]
    skipped = [c for c in candidates if c not in numeric]
    if not numeric:
        fail(f"no numeric feature columns to scale; columns are: {', '.join(map(str, train.columns))}")
    missing = [c for c in numeric if c not in test.columns]
    if missing:
        fail(f"test data lacks column(s) present in train: {', '.join(map(str, missing))}")
    not_numeric_in_test = [c for c in numeric if not pd.api.types.is_numeric_dtype(test[c])]
    if not_numeric_in_test:
        fail(f"column(s) numeric in train but not in test: {', '.join(map(str, not_numeric_in_test))}")
    if args.target_column not in train.columns:
        print(f"note: target column {args.target_column!r} not in train; scaling every numeric column")
    if skipped:
        print(f"passing through non-numeric column(s) unchanged: {', '.join(map(str, skipped))}")

    scaler = StandardScaler()
    # Fit on a DataFrame so the scaler remembers feature_names_in_.
    scaler.fit(train[numeric])
    train_out, test_out = train.copy(), test.copy()
    train_out[numeric] = scaler.transform(train[numeric])
    test_out[numeric] = scaler.transform(test[numeric])

    for path in (args.train_scaled, args.test_scaled, args.scaler):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    train_out.to_csv(args.train_scaled, index=False)
    test_out.to_csv(args.test_scaled, index=False)
    joblib.dump(scaler, args.scaler)
    print(f"scaled {len(numeric)} column(s); train {len(train_out)} rows, test {len(test_out)} rows")


if __name__ == "__main__":
    main()
