"""Read an uploaded delimited file and write a normalised CSV plus a summary."""
from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
from typing import NoReturn

import pandas as pd

SNIFF_BYTES = 64 * 1024


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


def resolve_delimiter(raw: str, path: str) -> str:
    if raw in ("\\t", "\t") or raw.lower() == "tab":
        return "\t"
    if raw.lower() == "auto":
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            sample = handle.read(SNIFF_BYTES)
        try:
            found = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            found = ","
        print(f"delimiter 'auto' resolved to {found!r}")
        return found
    if len(raw) != 1:
        fail(f"delimiter must be a single character, 'tab' or 'auto'; got {raw!r}")
    return raw


def looks_binary(path: str) -> bool:
    with open(path, "rb") as handle:
        return b"\x00" in handle.read(SNIFF_BYTES)


def cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def summary_markdown(df: pd.DataFrame, source_name: str) -> str:
    lines = [
        f"# {source_name}",
        "",
        f"- **rows:** {len(df)}",
        f"- **columns:** {df.shape[1]}",
        "",
        "| column | dtype | non-null | example |",
        "| --- | --- | --- | --- |",
    ]
    for column in df.columns:
        series = df[column]
        non_null = series.dropna()
        example = str(non_null.iloc[0]) if len(non_null) else ""
        lines.append(f"| {cell(column)} | {series.dtype} | {len(non_null)} | {cell(example)[:40]} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", required=True)
    parser.add_argument("--delimiter", default=",")
    parser.add_argument("--has-header", type=parse_bool, default=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--summary", required=True)
    args = parser.parse_args()

    if not os.path.isfile(args.file):
        fail(f"input file {args.file} does not exist")
    if os.path.getsize(args.file) == 0:
        fail("the input file is empty")
    if looks_binary(args.file):
        fail("the input file is not text (it contains NUL bytes); expected a CSV file")

    delimiter = resolve_delimiter(args.delimiter, args.file)
    print(f"reading {args.file} (delimiter {delimiter!r}, header={args.has_header})")
    try:
        df = pd.read_csv(
            args.file,
            sep=delimiter,
            header=0 if args.has_header else None,
            encoding="utf-8-sig",  # tolerate the BOM that spreadsheet exports add
            skipinitialspace=True,
        )
    except UnicodeDecodeError as exc:
        fail(f"the input file is not UTF-8 text ({exc}); save it as UTF-8 CSV")
    except pd.errors.EmptyDataError:
        fail("the input file has no data")
    except pd.errors.ParserError as exc:
        fail(f"the input file is not parseable as CSV with delimiter {delimiter!r}: {exc}")

    if not args.has_header:
        df.columns = [f"col_{i}" for i in range(df.shape[1])]
    else:
        df.columns = [str(c).strip() for c in df.columns]
        duplicates = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
        if duplicates:
            fail(f"duplicate column names in header: {', '.join(duplicates)}")
    if df.shape[1] < 1:
        fail("no columns found")

    for path in (args.table, args.summary):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    df.to_csv(args.table, index=False)
    with open(args.summary, "w", encoding="utf-8") as handle:
        handle.write(summary_markdown(df, "Imported table"))

    print(f"wrote {len(df)} rows x {df.shape[1]} columns to {args.table}")
    print("columns: " + ", ".join(f"{c} ({t})" for c, t in df.dtypes.astype(str).items()))


if __name__ == "__main__":
    main()
