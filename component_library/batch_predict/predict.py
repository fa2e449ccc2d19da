"""Predict every row of a CSV with a trained classifier; write a CSV table."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any, NoReturn

import joblib
import numpy as np
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


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes", "y", "on"):
        return True
    if value in ("false", "0", "no", "n", "off", ""):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


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


def load_model(path: str) -> Any:
    try:
        model = joblib.load(path)
    except FileNotFoundError:
        fail(f"model: file {path} does not exist")
    except Exception as exc:  # unpickling raises many unrelated types
        fail(f"model: not a joblib model file ({type(exc).__name__}: {exc})")
    if not hasattr(model, "predict"):
        fail(f"model: a {type(model).__name__} cannot predict; expected a trained classifier")
    return model


def feature_frame(model: Any, df: pd.DataFrame, target_column: str | None) -> pd.DataFrame:
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [str(c) for c in names if c not in df.columns]
        if missing:
            fail(
                f"the data lacks column(s) the model was trained on: {', '.join(missing)}; "
                f"columns are: {', '.join(map(str, df.columns))}"
            )
        return df[list(names)]
    X = df.drop(columns=[target_column]) if target_column and target_column in df.columns else df
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and X.shape[1] != expected:
        fail(f"the model expects {expected} feature columns, the data has {X.shape[1]}")
    return X


def label_text(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value.item() if hasattr(value, "item") else value)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--target-column", default=None)
    parser.add_argument("--include-probabilities", type=parse_bool, default=True)
    parser.add_argument("--predictions", required=True)
    args = parser.parse_args()

    model = load_model(args.model)
    df = read_dataset(args.data, "data")
    target = args.target_column or None
    if target and target not in df.columns:
        print(f"note: target column {target!r} is not in the data; nothing to exclude")
    X = feature_frame(model, df, target)
    with_nans = [str(c) for c, n in X.isna().sum().items() if n]
    if with_nans:
        fail(f"feature column(s) have missing values: {', '.join(with_nans)}")
    print(f"predicting {len(X)} rows with {type(model).__name__} ({X.shape[1]} features)")

    out = df.copy()
    if "prediction" in out.columns:
        fail("the data already has a column named 'prediction'; rename or drop it first")
    out["prediction"] = model.predict(X)

    if args.include_probabilities:
        if hasattr(model, "predict_proba") and hasattr(model, "classes_"):
            proba = np.asarray(model.predict_proba(X))
            for index, cls in enumerate(model.classes_):
                out[f"proba_{label_text(cls)}"] = np.round(proba[:, index], 6)
        else:
            print(f"note: {type(model).__name__} has no predict_proba; writing predictions only")

    os.makedirs(os.path.dirname(args.predictions) or ".", exist_ok=True)
    out.to_csv(args.predictions, index=False)
    counts = out["prediction"].value_counts()
    print("predicted: " + ", ".join(f"{label_text(k)}={v}" for k, v in counts.items()))
    print(f"wrote {len(out)} rows x {out.shape[1]} columns to {args.predictions}")


if __name__ == "__main__":
    main()
