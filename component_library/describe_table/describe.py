"""Profile a CSV dataset into a Markdown report and flat metrics."""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from typing import NoReturn

import pandas as pd


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
    return df


def cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def number(value: float) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.4g}"


def report(df: pd.DataFrame, target_column: str) -> str:
    lines = [
        "# Table profile",
        "",
        f"- **rows:** {len(df)}",
        f"- **columns:** {df.shape[1]}",
        f"- **missing cells:** {int(df.isna().sum().sum())}",
        f"- **duplicate rows:** {int(df.duplicated().sum())}",
        "",
        "| column | dtype | missing | distinct | mean | std | min | max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for column in df.columns:
        series = df[column]
        stats = ["", "", "", ""]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) and series.notna().any():
            stats = [number(series.mean()), number(series.std()), number(series.min()), number(series.max())]
        lines.append(
            f"| {cell(column)} | {series.dtype} | {int(series.isna().sum())} | {series.nunique()} | "
            + " | ".join(stats)
            + " |"
        )
    if target_column in df.columns:
        counts = df[target_column].value_counts(dropna=False)
        lines += ["", f"## Class balance of `{cell(target_column)}`", "", "| class | rows | share |", "| --- | --- | --- |"]
        for label, count in counts.items():
            lines.append(f"| {cell(label)} | {count} | {count / max(len(df), 1):.1%} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--report", required=True)
    parser.add_argument("--metrics", required=True)
    args = parser.parse_args()

    df = read_dataset(args.data, "data")
    print(f"profiling {len(df)} rows x {df.shape[1]} columns")
    metrics = {
        "n_rows": int(len(df)),
        "n_columns": int(df.shape[1]),
        "n_numeric_columns": int(sum(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns)),
        "n_missing_cells": int(df.isna().sum().sum()),
        "n_duplicate_rows": int(df.duplicated().sum()),
    }
    if args.target_column in df.columns:
        metrics["n_classes"] = int(df[args.target_column].nunique())
    else:
        print(f"note: no column {args.target_column!r}; skipping class balance")

    for path in (args.report, args.metrics):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(args.report, "w", encoding="utf-8") as handle:
        handle.write(report(df, args.target_column))
    with open(args.metrics, "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=2, allow_nan=False)
    for name, value in metrics.items():
        print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
