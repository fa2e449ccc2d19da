"""Load a dataset that ships inside scikit-learn and write it as CSV.

Output: feature columns + `target` holding class *names* (strings), so the
labels that reach confusion matrices and ROC curves are human readable.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import NoReturn

from sklearn import datasets

LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}


def fail(message: str) -> NoReturn:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def stop_on_sigterm() -> None:
    # As PID 1 in a container, Python ignores SIGTERM unless a handler exists;
    # without this an abort would wait for Docker's SIGKILL grace period.
    def handler(signum: int, frame: object) -> None:
        print("received SIGTERM, stopping", flush=True)
        os._exit(143)

    signal.signal(signal.SIGTERM, handler)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset-name", required=True)
    parser.add_argument("--table", required=True, help="output CSV path")
    args = parser.parse_args()

    name = args.dataset_name.strip().lower().replace("-", "_").replace(" ", "_")
    if name not in LOADERS:
        fail(f"unknown dataset {args.dataset_name!r}; valid names are: {', '.join(LOADERS)}")

    print(f"loading scikit-learn dataset {name!r}")
    bunch = LOADERS[name](as_frame=True)
    frame = bunch.frame.copy()
    class_names = [str(c) for c in bunch.target_names]
    frame["target"] = [class_names[int(i)] for i in bunch.target]

    os.makedirs(os.path.dirname(args.table) or ".", exist_ok=True)
    frame.to_csv(args.table, index=False)

    n_features = frame.shape[1] - 1
    print(f"wrote {len(frame)} rows, {n_features} features to {args.table}")
    counts = frame["target"].value_counts().sort_index()
    print("classes: " + ", ".join(f"{label}={count}" for label, count in counts.items()))


if __name__ == "__main__":
    main()
