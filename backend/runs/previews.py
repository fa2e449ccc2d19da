"""Small previews of artifacts, built once when an output is registered.

Formats follow component_library/README.md: Metrics is a flat JSON object,
ConfusionMatrix `{labels, matrix}`, ROC `{curves: [{label, fpr, tpr, auc}]}`,
Dataset/Table a CSV with a header.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

PREVIEW_BYTES = 256 * 1024
TABLE_ROWS = 20
ROC_POINTS = 200
TEXT_CHARS = 4000

MEDIA_TYPES = {
    "Dataset": "text/csv",
    "Table": "text/csv",
    "Metrics": "application/json",
    "ConfusionMatrix": "application/json",
    "ROC": "application/json",
    "JSON": "application/json",
    "Markdown": "text/markdown",
    "Model": "application/octet-stream",
}


def media_type(type_: str | None, path: Path) -> str:
    if path.is_dir():
        return "application/x-tar"
    if type_ in MEDIA_TYPES:
        return MEDIA_TYPES[type_]
    head = path.read_bytes()[:2048] if path.is_file() else b""
    try:
        head.decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"


def build(type_: str | None, path: Path, size: int) -> dict[str, Any] | None:
    """A preview dict, or None when nothing useful can be shown. Never raises."""
    try:
        return _build(type_, path, size)
    except Exception:  # noqa: BLE001 - a preview is a convenience, never a failure
        return None


def _json(path: Path, size: int) -> Any:
    if size > 16 * 1024 * 1024:
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _build(type_: str | None, path: Path, size: int) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    if type_ == "Metrics":
        data = _json(path, size)
        if isinstance(data, dict):
            values = {k: v for k, v in data.items() if isinstance(v, (int, float, str, bool)) or v is None}
            return {"kind": "metrics", "values": values}
        return None
    if type_ == "ConfusionMatrix":
        data = _json(path, size)
        if isinstance(data, dict) and isinstance(data.get("matrix"), list):
            return {"kind": "confusion_matrix", "labels": data.get("labels") or [], "matrix": data["matrix"]}
        return None
    if type_ == "ROC":
        data = _json(path, size)
        if isinstance(data, dict) and isinstance(data.get("curves"), list):
            return {"kind": "roc", "curves": [_roc_curve(c) for c in data["curves"] if isinstance(c, dict)]}
        return None
    head = path.open("rb").read(PREVIEW_BYTES)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head[:-3].decode("utf-8") if len(head) == PREVIEW_BYTES else ""
        except UnicodeDecodeError:
            return None
        if not text:
            return None
    if type_ in ("Dataset", "Table") or path.suffix == ".csv":
        table = _table(text, path, size)
        if table:
            return table
    if type_ == "JSON" or text.lstrip()[:1] in ("{", "["):
        try:
            return {"kind": "json", "value": json.loads(text)} if size <= PREVIEW_BYTES else {"kind": "text", "text": text[:TEXT_CHARS]}
        except json.JSONDecodeError:
            pass
    return {"kind": "text", "text": text[:TEXT_CHARS], "truncated": size > TEXT_CHARS}


def _roc_curve(curve: dict[str, Any]) -> dict[str, Any]:
    fpr = list(curve.get("fpr") or [])
    tpr = list(curve.get("tpr") or [])
    if len(fpr) > ROC_POINTS:
        step = math.ceil(len(fpr) / ROC_POINTS)
        keep = list(range(0, len(fpr), step))
        if keep[-1] != len(fpr) - 1:
            keep.append(len(fpr) - 1)
        fpr = [fpr[i] for i in keep]
        tpr = [tpr[i] for i in keep]
    return {"label": str(curve.get("label", "")), "fpr": fpr, "tpr": tpr, "auc": curve.get("auc")}


def _table(text: str, path: Path, size: int) -> dict[str, Any] | None:
    lines = text.splitlines()
    if size > PREVIEW_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    reader = csv.reader(io.StringIO("\n".join(lines[: TABLE_ROWS + 1])))
    rows = list(reader)
    if not rows or len(rows[0]) < 1:
        return None
    columns, body = rows[0], rows[1:]
    if size <= 64 * 1024 * 1024:
        with path.open("rb") as handle:
            total = max(0, sum(1 for _ in handle) - 1)
    else:
        total = None
    return {"kind": "table", "columns": columns, "rows": body, "total_rows": total}
