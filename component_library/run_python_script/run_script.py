"""Run user-supplied Python source with INPUT_PATH, OUTPUT_PATH, PARAMS, METRICS.

The script runs in this process via exec(), in a fresh namespace, with the
working directory set to a scratch folder under /tmp (the container's root
filesystem is read-only).
"""
from __future__ import annotations

import argparse
import json
import linecache
import math
import numbers
import os
import signal
import sys
import tempfile
import traceback
from typing import Any, NoReturn


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def stop_on_sigterm() -> None:
    # As PID 1 in a container, Python ignores SIGTERM unless a handler exists.
    def handler(signum: int, frame: object) -> None:
        print("received SIGTERM, stopping", flush=True)
        os._exit(143)

    signal.signal(signal.SIGTERM, handler)


def parse_parameters(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        fail(f"parameters is not valid JSON ({exc}): {text[:200]!r}")
    if not isinstance(value, dict):
        fail(f"parameters must be a JSON object, got {type(value).__name__}")
    return value


def clean_metrics(metrics: Any) -> dict[str, float | int]:
    if not isinstance(metrics, dict):
        fail(f"METRICS must stay a dict, the script made it a {type(metrics).__name__}")
    cleaned: dict[str, float | int] = {}
    for name, value in metrics.items():
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, numbers.Real):
            fail(f"METRICS[{name!r}] must be a number, got {type(value).__name__} {value!r:.80}")
        number = float(value)
        if not math.isfinite(number):
            fail(f"METRICS[{name!r}] is {number}; metrics must be finite numbers")
        cleaned[str(name)] = int(value) if isinstance(value, numbers.Integral) else number
    return cleaned


def run(source: str, namespace: dict[str, Any]) -> None:
    # Registering the source lets tracebacks quote the user's lines.
    linecache.cache["<script>"] = (len(source), None, source.splitlines(True), "<script>")
    try:
        code = compile(source, "<script>", "exec")
    except SyntaxError as exc:
        print("".join(traceback.format_exception_only(type(exc), exc)), file=sys.stderr, end="")
        fail("the script has a syntax error", code=1)
    try:
        exec(code, namespace)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            print(f"script exited with {exc.code!r}", file=sys.stderr, flush=True)
            sys.exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException as exc:  # show the user's traceback, not ours
        tb = exc.__traceback__.tb_next if exc.__traceback__ else None
        traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        fail("the script raised an exception", code=1)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--script", required=True)
    parser.add_argument("--input-data", default=None)
    parser.add_argument("--parameters", default="{}")
    parser.add_argument("--banner", default="")
    parser.add_argument("--output-data", required=True)
    parser.add_argument("--metrics", required=True)
    args = parser.parse_args()

    if args.banner:
        print(args.banner)
    if not args.script.strip():
        fail("the script is empty")
    params = parse_parameters(args.parameters)
    input_path = os.path.abspath(args.input_data) if args.input_data else None
    if input_path and not os.path.exists(input_path):
        fail(f"input file {input_path} does not exist")
    output_path = os.path.abspath(args.output_data)
    metrics_path = os.path.abspath(args.metrics)
    for path in (output_path, metrics_path):
        os.makedirs(os.path.dirname(path), exist_ok=True)

    os.chdir(tempfile.mkdtemp(prefix="script-"))
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": "<script>",
        "INPUT_PATH": input_path,
        "OUTPUT_PATH": output_path,
        "PARAMS": params,
        "METRICS": {},
    }
    print(f"input: {input_path or '(none)'}; {len(args.script.splitlines())} line(s) of script")
    sys.stdout.flush()
    run(args.script, namespace)
    sys.stdout.flush()

    if not os.path.exists(output_path):
        print("the script wrote no output file; writing an empty one")
        open(output_path, "wb").close()
    metrics = clean_metrics(namespace.get("METRICS"))
    with open(metrics_path, "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=2, allow_nan=False)
    print(f"done: output {os.path.getsize(output_path)} bytes, {len(metrics)} metric(s)")


if __name__ == "__main__":
    main()
