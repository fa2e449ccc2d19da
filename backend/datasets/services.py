"""Writes of datasets: create them, commit versions (upload, external URI, step output),
pin versions for a run and hand them to the engine.

Every commit locks the dataset row, so version numbers are consecutive and
"identical to the latest version" is decided against a stable latest. A
committed version fires the dataset triggers after the transaction commits
(task `triggers.dataset_version_committed`, sent by name: datasets does not
import triggers).
"""

from __future__ import annotations

import csv
import mimetypes
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from catalog import types as ctypes
from catalog.models import ComponentVersion
from datasets import store
from datasets.models import Dataset, DatasetKind, DatasetUsage, DatasetVersion
from runs import previews
from runs.models import Artifact, Run, StepRun
from studio.errors import Conflict, InvalidInput, NotFound, Problem, StudioError

MAX_NAME_LENGTH = 200
EXTERNAL_SCHEMES = ("s3", "hdfs", "file")
PREVIEW_ROWS = 20
# Dataset names appear in publish declarations and URLs; keep them printable and single-line.
NAME_RE = re.compile(r"^[^\x00-\x1f\x7f/]{1,200}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TABULAR = {"text/csv": ",", "text/tab-separated-values": "\t"}
EXTRA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".parquet": "application/vnd.apache.parquet",
    ".md": "text/markdown",
    ".txt": "text/plain",
}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/x-www-form-urlencoded"}


class PayloadTooLarge(StudioError):
    status_code = 413
    code = "too_large"


def max_upload_bytes() -> int:
    return int(getattr(settings, "DATASET_MAX_BYTES", 5 * 1024**3))


def too_large(size: int | None, *, field: str | None = "file") -> PayloadTooLarge:
    limit = max_upload_bytes()
    got = f"{size:,} bytes" if size is not None else "larger than that"
    message = f"The upload is {got}; the dataset size limit is {limit:,} bytes (STUDIO_DATASET_MAX_BYTES)."
    return PayloadTooLarge(message, [Problem("too_large", f"{field}: {message}" if field else message, field=field)])


# --------------------------------------------------------------------------- datasets


def dataset_create(*, name: str, kind: str = DatasetKind.DATASET, description: str = "", user: Any = None) -> Dataset:
    name = (name or "").strip()
    problems = _name_problems(name) + _kind_problems(kind)
    if problems:
        raise InvalidInput(problems[0].message, problems)
    try:
        with transaction.atomic():
            return Dataset.objects.create(name=name, kind=kind, description=description or "", created_by=_user(user))
    except IntegrityError:
        message = f'name: a dataset named "{name}" already exists.'
        raise InvalidInput(message, [Problem("unique", message, field="name")]) from None


def dataset_update(*, dataset: Dataset, description: str | None = None) -> Dataset:
    if description is not None:
        Dataset.objects.filter(pk=dataset.pk).update(description=description)
        dataset.refresh_from_db()
    return dataset


def _name_problems(name: str) -> list[Problem]:
    if not name:
        return [Problem("blank", "name: may not be blank.", field="name")]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem("too_long", f"name: at most {MAX_NAME_LENGTH} characters.", field="name")]
    if not NAME_RE.match(name):
        return [Problem("invalid", "name: may not contain '/' or control characters.", field="name")]
    if Dataset.objects.filter(name__iexact=name).exists():
        return [Problem("unique", f'name: a dataset named "{name}" already exists.', field="name")]
    return []


def _kind_problems(kind: str) -> list[Problem]:
    if kind not in DatasetKind.values:
        return [Problem("invalid_choice", f"kind: {kind!r} is not one of {', '.join(DatasetKind.values)}.", field="kind")]
    return []


def _user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --------------------------------------------------------------------------- committing versions


def dataset_version_upload(
    *, dataset: Dataset, blob: store.Blob | store.PendingBlob, filename: str = "", media_type: str = "", message: str = "",
    user: Any = None,
) -> tuple[DatasetVersion, bool]:
    """A version from streamed bytes. (version, False) when they equal the latest version's.

    A `store.PendingBlob` (an upload) enters the store in the version's transaction, and only if a
    version is created; in every other case (identical content, a refusal, an error) its temp
    file is deleted. A `store.Blob` is already in the store.
    """
    pending = blob if isinstance(blob, store.PendingBlob) else None
    try:
        filename = Path(filename or "").name[:255]
        media, metadata, preview = describe(blob.path, blob.size, filename=filename, declared=media_type)
        return _commit(
            dataset.pk, sha256=blob.sha256, size=blob.size, uri=blob.uri, media_type=media, filename=filename,
            metadata=metadata, preview=preview, message=message, user=_user(user), pending=pending,
        )
    finally:
        if pending is not None:
            pending.discard()  # a no-op once committed into the store


def dataset_version_register(
    *, dataset: Dataset, uri: str, checksum: str = "", message: str = "", user: Any = None
) -> tuple[DatasetVersion, bool]:
    """A version stored outside the studio, by reference. With a sha256 checksum equal to the latest
    version's (same URI) no version is created; without one every registration is a new version."""
    uri = _external_uri(uri)
    sha = _checksum(checksum)
    name = Path(urllib.parse.urlsplit(uri).path).name
    media = _guess_type(name, "")
    return _commit(
        dataset.pk, sha256=sha, size=None, uri=uri, media_type=media, filename=name[:255], metadata={}, preview=None,
        message=message, user=_user(user), dedupe=bool(sha),
    )


def step_outputs_publish(*, step: StepRun, artifacts: list[Artifact]) -> list[DatasetVersion]:
    """Saves the outputs the step's node declares under `publish` as dataset versions (produced_by = step).

    Runs inside the engine's step-completion transaction, so a step is
    completed and its outputs published together or not at all. A dataset
    named in a declaration is created (with the declared kind) if missing;
    content identical to the dataset's latest version adds no version.
    """
    graph = step.run.pipeline_version.graph or {}
    node = next((n for n in graph.get("nodes") or [] if n.get("id") == step.node_id), None)
    declarations = (node or {}).get("publish") or []
    by_name = {a.name: a for a in artifacts}
    published: list[DatasetVersion] = []
    for declaration in declarations:
        artifact = by_name.get(declaration.get("output"))
        if artifact is None:
            continue  # validation names the outputs; a component changed under us publishes nothing
        kind = declaration.get("kind") or (DatasetKind.MODEL if artifact.type == "Model" else DatasetKind.DATASET)
        dataset = _dataset_for_publish(str(declaration["dataset"]), kind, step.run.created_by)
        path = store.blob_path(artifact.sha256)
        media, metadata, preview = describe(path, artifact.size, filename="", declared=artifact.media_type)
        version, created = _commit(
            dataset.pk, sha256=artifact.sha256, size=artifact.size, uri=artifact.uri, media_type=media,
            filename=declaration["output"], metadata=metadata, preview=artifact.preview or preview,
            message=f"output '{artifact.name}' of step '{step.node_id}' in run {step.run_id}",
            user=step.run.created_by, produced_by=step,
        )
        if created:
            published.append(version)
    return published


def _dataset_for_publish(name: str, kind: str, user: Any) -> Dataset:
    # ON CONFLICT DO NOTHING: two steps publishing to a new dataset at once both end up using one row,
    # and the surrounding transaction is never poisoned by a unique violation.
    Dataset.objects.bulk_create(
        [Dataset(name=name, kind=kind if kind in DatasetKind.values else DatasetKind.DATASET, created_by=user)],
        ignore_conflicts=True,
    )
    return Dataset.objects.get(name__iexact=name)


def _commit(
    dataset_id: int,
    *,
    sha256: str,
    size: int | None,
    uri: str,
    media_type: str,
    filename: str,
    metadata: dict[str, Any],
    preview: dict[str, Any] | None,
    message: str,
    user: Any,
    produced_by: StepRun | None = None,
    dedupe: bool = True,
    pending: store.PendingBlob | None = None,
) -> tuple[DatasetVersion, bool]:
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(pk=dataset_id).first()
        if dataset is None:
            raise NotFound(f"Dataset {dataset_id} does not exist.", [Problem("not_found", f"dataset {dataset_id} does not exist")])
        latest = dataset.versions.order_by("-number").first()
        if dedupe and latest is not None and sha256 and latest.sha256 == sha256 and (latest.artifact_id is not None or latest.uri == uri):
            return latest, False
        artifact = None
        if uri.startswith("store://"):
            artifact = Artifact.objects.create(
                name=dataset.name[:200],
                type="Model" if dataset.kind == DatasetKind.MODEL else "Dataset",
                media_type=media_type or "application/octet-stream",
                size=size or 0,
                sha256=sha256,
                uri=uri,
                preview=preview,
            )
        version = DatasetVersion.objects.create(
            dataset=dataset,
            number=(latest.number + 1) if latest else 1,
            uri=uri,
            sha256=sha256,
            size=size,
            media_type=media_type,
            filename=filename,
            metadata=metadata,
            message=message or "",
            artifact=artifact,
            produced_by=produced_by,
            created_by=user,
        )
        Dataset.objects.filter(pk=dataset.pk).update(updated_at=version.created_at)
        if pending is not None:
            # Last, so every refusal above leaves the bytes out of the store; only a failing
            # COMMIT could leave an unreferenced blob (identical content is stored once anyway).
            pending.commit()
        version_id = version.pk
        transaction.on_commit(lambda: _notify_triggers(version_id))
    return version, True


def _notify_triggers(version_id: int) -> None:
    from studio.celery import app

    app.send_task("triggers.dataset_version_committed", args=[version_id])


# --------------------------------------------------------------------------- external URIs and checksums


def _external_uri(raw: Any) -> str:
    def bad(code: str, message: str) -> InvalidInput:
        return InvalidInput(f"uri: {message}", [Problem(code, f"uri: {message}", field="uri")])

    if not isinstance(raw, str) or not raw.strip():
        raise bad("required", "send the location of the data, e.g. s3://bucket/path/data.csv.")
    uri = raw.strip()
    if len(uri) > 2000 or any(c.isspace() or ord(c) < 32 for c in uri):
        raise bad("invalid_uri", "must be at most 2000 characters without spaces or control characters.")
    parts = urllib.parse.urlsplit(uri)
    scheme = parts.scheme.lower()
    supported = ", ".join(f"{s}://" for s in EXTERNAL_SCHEMES)
    if not scheme or "://" not in uri:
        raise bad("invalid_uri", f"{uri!r} is not a URI; expected one of {supported} (or upload the file).")
    if scheme == "store":
        raise bad("unsupported_uri_scheme", "store:// URIs are created by uploads; upload the file instead.")
    if scheme not in EXTERNAL_SCHEMES:
        raise bad("unsupported_uri_scheme", f"scheme '{scheme}://' is not supported; use {supported}.")
    if scheme == "s3" and (not parts.netloc or parts.path in ("", "/")):
        raise bad("invalid_uri", "an s3:// URI needs a bucket and a key: s3://bucket/path/to/data.")
    if scheme == "hdfs" and parts.path in ("", "/"):
        raise bad("invalid_uri", "an hdfs:// URI needs a path: hdfs://namenode/path/to/data.")
    if scheme == "file" and (parts.netloc not in ("", "localhost") or not parts.path.startswith("/") or parts.path == "/"):
        raise bad("invalid_uri", "a file:// URI needs an absolute path: file:///path/to/data.")
    return scheme + uri[len(parts.scheme):]


def _checksum(raw: Any) -> str:
    if raw in (None, ""):
        return ""
    text = str(raw).strip().lower()
    if text.startswith("sha256:"):
        text = text[len("sha256:"):]
    if not SHA256_RE.match(text):
        message = "checksum: expected a sha256 digest: 'sha256:' followed by 64 hex digits."
        raise InvalidInput(message, [Problem("invalid_checksum", message, field="checksum")])
    return text


# --------------------------------------------------------------------------- describing content


def _guess_type(filename: str, declared: str) -> str:
    declared = (declared or "").split(";")[0].strip().lower()
    suffix = Path(filename).suffix.lower()
    if suffix in EXTRA_TYPES:
        return EXTRA_TYPES[suffix]
    if declared and declared not in GENERIC_TYPES and not declared.startswith("multipart/"):
        return declared
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return guessed or ""


def describe(path: Path, size: int, *, filename: str, declared: str) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """(media type, metadata, artifact preview) of stored bytes, reading them as a stream.

    CSV/TSV get {"format", "rows", "columns", "preview": {"columns", "rows"}}; the
    row count reads the whole file once, a chunk at a time.
    """
    media = _guess_type(filename, declared)
    if not media:
        with open(path, "rb") as handle:
            head = handle.read(4096)
        try:
            head.decode("utf-8")
            media = "text/plain"
        except UnicodeDecodeError:
            media = "text/plain" if _utf8_prefix(head) else "application/octet-stream"
    if media in TABULAR:
        table = _table(path, TABULAR[media])
        if table is not None:
            metadata = {"format": "csv" if media == "text/csv" else "tsv", **table}
            preview = {"kind": "table", "columns": table["columns"], "rows": table["preview"]["rows"], "total_rows": table["rows"]}
            return media, metadata, preview
    type_ = "JSON" if media == "application/json" else None
    return media, {}, previews.build(type_, path, size) if media.startswith(("text/", "application/json")) else None


def _utf8_prefix(head: bytes) -> bool:
    # A multi-byte character cut at the end of the sample is still text.
    try:
        head[:-3].decode("utf-8")
        return len(head) > 3
    except UnicodeDecodeError:
        return False


def _table(path: Path, delimiter: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            columns = next(reader, None)
            if not columns:
                return None
            rows: list[list[str]] = []
            count = 0
            for row in reader:
                if not row:
                    continue
                count += 1
                if len(rows) < PREVIEW_ROWS:
                    rows.append([cell[:200] for cell in row])
    except (csv.Error, OSError):
        return None
    return {"rows": count, "columns": columns, "preview": {"columns": columns, "rows": rows}}


# --------------------------------------------------------------------------- runs


def run_dataset_inputs(*, graph: Mapping[str, Any], pins: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, dict[str, Any]]:
    """The dataset version each dataset-bound input of a run reads, pinned now.

    Graph bindings `{"dataset": {"id", "version": N | "latest"}}` resolve to
    that version or to the newest one; `pins` ({node: {input: version id}},
    from a dataset trigger or a retried run) override whatever the graph binds.
    """
    nodes = {n.get("id"): n for n in graph.get("nodes") or [] if isinstance(n, dict)}
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for node_id, node in nodes.items():
        for input_name, binding in (node.get("arguments") or {}).items():
            if isinstance(binding, dict) and isinstance(binding.get("dataset"), dict):
                wanted[(node_id, input_name)] = dict(binding["dataset"])
    problems: list[Problem] = []
    pinned_nodes = [nodes[node_id] for node_id in pins or {} if node_id in nodes]
    specs = {
        cv.pk: cv.spec
        for cv in ComponentVersion.objects.filter(pk__in=[n.get("component_version") for n in pinned_nodes]).only("pk", "spec")
    }
    for node_id, inputs in (pins or {}).items():
        if node_id not in nodes:
            problems.append(Problem("unknown_node", f"the pipeline has no node '{node_id}' to receive a dataset version", node=node_id))
            continue
        # The engine passes values to the component's ports only: a pin on a port the node's
        # component no longer has (the pipeline changed since the trigger was made) would be dropped.
        ports = [p.get("name") for p in (specs.get(nodes[node_id].get("component_version")) or {}).get("inputs") or []]
        for input_name, version_id in inputs.items():
            if input_name not in ports:
                problems.append(Problem(
                    "unknown_port",
                    f"node '{node_id}' has no input '{input_name}' to receive a dataset version (inputs: {', '.join(map(str, ports)) or 'none'})",
                    node=node_id, port=input_name,
                ))
                continue
            wanted[(node_id, input_name)] = {"pinned": version_id}

    pinned_ids = [w["pinned"] for w in wanted.values() if "pinned" in w]
    pinned = DatasetVersion.objects.select_related("dataset").in_bulk(pinned_ids)
    dataset_ids = {w.get("id") for w in wanted.values() if "pinned" not in w}
    datasets = Dataset.objects.in_bulk([i for i in dataset_ids if isinstance(i, int)])
    latest_numbers = dict(
        DatasetVersion.objects.filter(dataset_id__in=list(datasets)).values("dataset_id").annotate(n=Max("number")).values_list("dataset_id", "n")
    )
    wanted_numbers = {
        (w["id"], latest_numbers.get(w["id"]) if w.get("version", "latest") == "latest" else w.get("version"))
        for w in wanted.values()
        if "pinned" not in w
    }
    by_number = {
        (v.dataset_id, v.number): v
        for v in DatasetVersion.objects.select_related("dataset").filter(
            dataset_id__in=list(datasets), number__in=[n for _, n in wanted_numbers if isinstance(n, int)]
        )
    }

    resolved: dict[str, dict[str, Any]] = {}
    for (node_id, input_name), want in sorted(wanted.items()):
        version: DatasetVersion | None
        if "pinned" in want:
            version = pinned.get(want["pinned"])
            if version is None:
                problems.append(Problem("unknown_dataset_version", f"dataset version {want['pinned']} does not exist", node=node_id, port=input_name))
                continue
        else:
            dataset = datasets.get(want.get("id"))
            if dataset is None:
                problems.append(Problem("unknown_dataset", f"node '{node_id}': input '{input_name}' reads dataset {want.get('id')}, which does not exist", node=node_id, port=input_name))
                continue
            spec = want.get("version", "latest")
            number = latest_numbers.get(dataset.pk) if spec == "latest" else spec
            version = by_number.get((dataset.pk, number))
            if version is None:
                detail = "has no versions yet" if spec == "latest" else f"has no version {spec}"
                problems.append(Problem(
                    "dataset_empty" if spec == "latest" else "unknown_dataset_version",
                    f"node '{node_id}': input '{input_name}' reads dataset '{dataset.name}', which {detail}",
                    node=node_id, port=input_name,
                ))
                continue
        resolved.setdefault(node_id, {})[input_name] = {
            "dataset": version.dataset_id,
            "dataset_name": version.dataset.name,
            "version": version.number,
            "dataset_version": version.pk,
        }
    if problems:
        raise InvalidInput(f"Cannot start the run: {problems[0].message}", problems)
    return resolved


def run_dataset_usages_record(*, runs: Iterable[Run]) -> None:
    """Lineage: which versions the runs read, one row per (run, node, input), in one statement.
    Called inside run creation."""
    DatasetUsage.objects.bulk_create(
        [
            DatasetUsage(run=run, version_id=pinned["dataset_version"], node_id=node_id, input=input_name)
            for run in runs
            for node_id, inputs in (run.dataset_inputs or {}).items()
            for input_name, pinned in inputs.items()
        ],
        ignore_conflicts=True,
    )


def dataset_input_resolve(*, name: str, pinned: Mapping[str, Any], type_: str | None) -> dict[str, Any]:
    """What the engine passes to input `name` for a pinned dataset version.

    Stored versions are mounted like any artifact; an external version (s3://,
    hdfs://, file://) is passed by reference: the input receives its URI.
    Raises ValueError (the step fails with the message) if the version is gone.
    """
    version = DatasetVersion.objects.filter(pk=pinned.get("dataset_version")).first()
    if version is None:
        raise ValueError(f"input '{name}': dataset version {pinned.get('dataset_version')} no longer exists")
    if version.artifact_id is None:
        return {"value": version.uri, "dataset_version": version.pk}
    resolved: dict[str, Any] = {"artifact": version.artifact_id, "dataset_version": version.pk}
    if ctypes.is_value_type(type_):
        resolved["value"] = store.read_head(version.sha256, 64 * 1024).decode("utf-8", "replace")
    return resolved


def dataset_download_check(*, version: DatasetVersion) -> None:
    if version.artifact_id is None:
        message = f"Version {version.number} of '{version.dataset.name}' is stored outside the studio at {version.uri}; read it from there."
        raise Conflict(message, [Problem("external", message)])
