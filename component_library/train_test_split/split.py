"""Split a CSV dataset into train and test CSVs (optionally stratified)."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import NoReturn

import pandas as pd
from sklearn.model_selection import train_test_split


def fail(message: str) -> NoReturn:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def stop_on_sigterm() -> None:
    # As PID 1 in a container, Python ignores SIGTERM unless a handler exists.
    def handler(signum: int, frame: object) -> None:
        print("received SIGTERM, stopping", flush=True)
        os._exit(143)

    signal.signal(signal.SIGTERM, handler)


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes", "y", "on"):
        return True
    if value in ("false", "0", "no", "n", "off", ""):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_int(text: str) -> int:
    # Parameters can arrive as "42" or "42.0" depending on who serialised them.
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


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--seed", type=parse_int, default=42)
    parser.add_argument("--stratify", type=parse_bool, default=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    args = parser.parse_args()

    if not 0.0 < args.test_fraction < 1.0:
        fail(f"test_fraction must be between 0 and 1 (exclusive), got {args.test_fraction}")

    df = read_dataset(args.data, "data")
    print(f"read {len(df)} rows x {df.shape[1]} columns")
    if len(df) < 2:
        fail(f"need at least 2 rows to split, got {len(df)}")
    n_test = int(round(len(df) * args.test_fraction))
    if n_test < 1 or n_test >= len(df):
        fail(f"test_fraction {args.test_fraction} of {len(df)} rows leaves one side empty")

    strata = None
    if args.stratify:
        if args.target_column not in df.columns:
            fail(
                f"target column {args.target_column!r} not found (needed for stratify=true); "
                f"columns are: {', '.join(map(str, df.columns))}"
            )
        target = df[args.target_column]
        counts = target.value_counts()
        n_classes = len(counts)
        if pd.api.types.is_float_dtype(target) and n_classes > 20:
            print(f"WARNING: {args.target_column!r} looks continuous; not stratifying")
        elif counts.min() < 2:
            print(f"WARNING: class {counts.idxmin()!r} has a single row; not stratifying")
        elif n_test < n_classes or len(df) - n_test < n_classes:
            print(f"WARNING: {n_test} test rows cannot hold all {n_classes} classes; not stratifying")
        else:
            strata = target

    train, test = train_test_split(
        df, test_size=n_test, random_state=args.seed, shuffle=True, stratify=strata
    )
    for path in (args.train, args.test):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    train.to_csv(args.train, index=False)
    test.to_csv(args.test, index=False)
    print(f"train: {len(train)} rows, test: {len(test)} rows (seed {args.seed}, stratified={strata is not None})")


if __name__ == "__main__":
    main()
