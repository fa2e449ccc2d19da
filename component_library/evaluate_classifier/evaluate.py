"""Evaluate a classifier: metrics, confusion matrix and ROC curves as JSON."""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import warnings
from typing import Any, NoReturn

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    auc,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_curve,
)

# The UI draws every curve; a few hundred points per curve is plenty.
MAX_ROC_POINTS = 200


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


def match_label_type(y: pd.Series, classes: np.ndarray) -> pd.Series:
    # A CSV round trip can read labels "0", "1" back as integers; use the
    # model's label type so predictions and truth compare equal.
    if classes.dtype.kind in "OUS" and y.dtype.kind not in "OUS":
        return y.astype(str)
    if classes.dtype.kind in "iuf" and y.dtype.kind in "OUS":
        converted = pd.to_numeric(y, errors="coerce")
        if not converted.isna().any():
            return converted
    return y


def label_text(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value.item() if hasattr(value, "item") else value)


def finite(values: np.ndarray, replacement: float) -> list[float]:
    return [round(float(v), 6) if math.isfinite(v) else replacement for v in values]


def roc_entry(label: str, y_true: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    fpr, tpr, thresholds = roc_curve(y_true, score, drop_intermediate=True)
    area = float(auc(fpr, tpr))
    if len(fpr) > MAX_ROC_POINTS:
        keep = np.unique(np.linspace(0, len(fpr) - 1, MAX_ROC_POINTS).round().astype(int))
        fpr, tpr, thresholds = fpr[keep], tpr[keep], thresholds[keep]
    # sklearn >= 1.3 starts thresholds at +inf, which JSON cannot hold; use the
    # older convention of max(finite thresholds) + 1 instead.
    finite_max = max((float(t) for t in thresholds if math.isfinite(t)), default=0.0)
    return {
        "label": label,
        "fpr": finite(fpr, 0.0),
        "tpr": finite(tpr, 0.0),
        "thresholds": finite(thresholds, round(finite_max + 1.0, 6)),
        "auc": round(area, 6),
    }


def class_scores(model: Any, X: pd.DataFrame) -> np.ndarray | None:
    if hasattr(model, "predict_proba"):
        try:
            return np.asarray(model.predict_proba(X))
        except Exception as exc:  # e.g. SVC(probability=False) exposes but refuses it
            print(f"note: predict_proba failed ({exc}); trying decision_function")
    if hasattr(model, "decision_function"):
        scores = np.asarray(model.decision_function(X))
        return scores.reshape(-1, 1) if scores.ndim == 1 else scores
    return None


def roc_curves(model: Any, X: pd.DataFrame, y: pd.Series) -> list[dict[str, Any]]:
    classes = getattr(model, "classes_", None)
    scores = class_scores(model, X)
    if classes is None or scores is None:
        print("note: the model gives no class scores; ROC output is empty")
        return []
    y_arr = np.asarray(y)
    if len(classes) == 2:
        positive = classes[1]
        column = scores[:, 1] if scores.shape[1] == 2 else scores[:, 0]
        y_pos = y_arr == positive
        if y_pos.all() or not y_pos.any():
            print("note: the test data holds a single class; ROC is undefined")
            return []
        return [roc_entry(label_text(positive), y_pos, column)]
    curves = []
    for index, cls in enumerate(classes):
        y_pos = y_arr == cls
        if y_pos.all() or not y_pos.any():
            print(f"note: class {label_text(cls)!r} is absent from (or alone in) the test data; no ROC curve")
            continue
        curves.append(roc_entry(label_text(cls), y_pos, scores[:, index]))
    return curves


def write_json(path: str, payload: Any, indent: int | None = None) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        # allow_nan=False: NaN/Infinity are not JSON and would break the UI's parser.
        json.dump(payload, handle, indent=indent, allow_nan=False)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--test-data", required=True)
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--metrics", required=True)
    parser.add_argument("--confusion-matrix", required=True)
    parser.add_argument("--roc", required=True)
    args = parser.parse_args()

    model = load_model(args.model)
    df = read_dataset(args.test_data, "test_data")
    if args.target_column not in df.columns:
        fail(f"target column {args.target_column!r} not found; columns are: {', '.join(map(str, df.columns))}")
    if df[args.target_column].isna().any():
        fail(f"target column {args.target_column!r} has missing values")
    X = feature_frame(model, df, args.target_column)
    classes = np.asarray(getattr(model, "classes_", []))
    y_true = match_label_type(df[args.target_column], classes) if len(classes) else df[args.target_column]
    print(f"evaluating {type(model).__name__} on {len(df)} rows, {X.shape[1]} features")

    y_pred = model.predict(X)
    labels = list(classes)
    for value in list(pd.unique(y_true)) + list(pd.unique(y_pred)):
        if value not in labels:
            labels.append(value)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero_division is handled explicitly
        metrics = {
            "accuracy": accuracy_score(y_true, y_pred),
            "f1_macro": f1_score(y_true, y_pred, average="macro", zero_division=0),
            "precision_macro": precision_score(y_true, y_pred, average="macro", zero_division=0),
            "recall_macro": recall_score(y_true, y_pred, average="macro", zero_division=0),
        }
    metrics = {name: round(float(value), 6) for name, value in metrics.items()}
    metrics["n_test"] = int(len(df))

    curves = roc_curves(model, X, y_true)
    if curves:
        metrics["roc_auc"] = round(float(np.mean([c["auc"] for c in curves])), 6)

    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    write_json(args.metrics, metrics, indent=2)
    write_json(
        args.confusion_matrix,
        {"labels": [label_text(v) for v in labels], "matrix": [[int(n) for n in row] for row in matrix]},
    )
    write_json(args.roc, {"curves": curves})

    for name, value in metrics.items():
        print(f"  {name}: {value}")
    print(f"confusion matrix over {len(labels)} labels; {len(curves)} ROC curve(s)")


if __name__ == "__main__":
    main()
