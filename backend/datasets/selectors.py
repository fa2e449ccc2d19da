"""Reads of datasets: lists, versions, the references a pipeline graph makes, lineage."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery

from datasets.models import Dataset, DatasetUsage, DatasetVersion
from runs.models import Run
from studio.errors import NotFound, Problem


def _version_queryset() -> QuerySet[DatasetVersion]:
    return DatasetVersion.objects.select_related(
        "dataset", "artifact", "created_by", "produced_by", "produced_by__run", "produced_by__run__pipeline"
    )


def dataset_list(*, search: str = "", kind: str = "") -> QuerySet[Dataset]:
    newest = DatasetVersion.objects.filter(dataset=OuterRef("dataset")).order_by("-number").values("number")[:1]
    latest = _version_queryset().filter(number=Subquery(newest))
    queryset = Dataset.objects.select_related("created_by").annotate(version_count=Count("versions")).prefetch_related(
        Prefetch("versions", queryset=latest, to_attr="prefetched_latest_versions")
    )
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("name", "id")


def dataset_get(*, dataset_id: int) -> Dataset:
    dataset = dataset_list().filter(pk=dataset_id).first()
    if dataset is None:
        message = f"Dataset {dataset_id} does not exist."
        raise NotFound(message, [Problem("not_found", message)])
    return dataset


def version_list(*, dataset: Dataset) -> QuerySet[DatasetVersion]:
    return _version_queryset().filter(dataset=dataset).order_by("-number")


def version_get(*, dataset: Dataset, number: int) -> DatasetVersion:
    version = _version_queryset().filter(dataset=dataset, number=number).first()
    if version is None:
        message = f"Dataset '{dataset.name}' has no version {number}."
        raise NotFound(message, [Problem("not_found", message, field="version")])
    return version


def datasets_for_graph(graph: Any) -> list[Any]:
    """The datasets a graph document refers to, by id (dataset bindings) or by name (publish declarations),
    as pipelines.graph.DatasetRef tuples for `graph.validate`."""
    from pipelines.graph import DatasetRef as Ref
    from pipelines.graph import dataset_references

    ids, names = dataset_references(graph)
    if not ids and not names:
        return []
    query = Q(pk__in=list(ids))
    for name in names:
        query |= Q(name__iexact=name)
    rows = Dataset.objects.filter(query).annotate(latest=Max("versions__number"))
    return [Ref(id=d.pk, name=d.name, kind=d.kind, latest_version=d.latest or 0) for d in rows]


# --------------------------------------------------------------------------- lineage

MAX_LINEAGE_NODES = 400


def dataset_lineage(*, dataset: Dataset, depth: int = 3) -> dict[str, Any]:
    """The graph around a dataset: its versions, the runs that read them and what those runs
    produced (downstream), and the runs that produced them with what those runs read (upstream),
    `depth` hops each way.

    Node ids are "version:<id>" and "run:<id>"; an edge goes from a version to the
    run that read it (kind "input", with node and port) or from a run to the version
    it produced (kind "output", with node and port).
    """
    versions: dict[int, DatasetVersion] = {v.pk: v for v in version_list(dataset=dataset)[:MAX_LINEAGE_NODES // 2]}
    runs: dict[int, Run] = {}
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def add_edge(source: str, target: str, kind: str, node: str, port: str) -> None:
        edges.setdefault((source, target, node, port), {"source": source, "target": target, "kind": kind, "node": node, "port": port})

    downstream = set(versions)
    upstream = {v.pk for v in versions.values() if v.produced_by_id}
    for _ in range(depth):
        if len(versions) + len(runs) >= MAX_LINEAGE_NODES:
            break
        new_versions: set[int] = set()
        new_runs: set[int] = set()
        # Downstream: versions → runs that read them → versions those runs produced.
        if downstream:
            usages = list(DatasetUsage.objects.filter(version_id__in=downstream).values("run_id", "version_id", "node_id", "input"))
            read_by = {u["run_id"] for u in usages}
            for u in usages:
                add_edge(f"version:{u['version_id']}", f"run:{u['run_id']}", "input", u["node_id"], u["input"])
            new_runs |= read_by - set(runs)
            produced = list(_version_queryset().filter(produced_by__run_id__in=read_by))
            for v in produced:
                add_edge(f"run:{v.produced_by.run_id}", f"version:{v.pk}", "output", v.produced_by.node_id, _output_name(v))
                if v.pk not in versions:
                    versions[v.pk] = v
                    new_versions.add(v.pk)
        # Upstream: versions → the run that produced them → versions that run read.
        if upstream:
            producer_runs = {versions[pk].produced_by.run_id for pk in upstream if pk in versions and versions[pk].produced_by_id}
            for pk in upstream:
                v = versions.get(pk)
                if v is not None and v.produced_by_id:
                    add_edge(f"run:{v.produced_by.run_id}", f"version:{v.pk}", "output", v.produced_by.node_id, _output_name(v))
            new_runs |= producer_runs - set(runs)
            read = list(DatasetUsage.objects.filter(run_id__in=producer_runs).values("run_id", "version_id", "node_id", "input"))
            inputs = {u["version_id"] for u in read}
            for u in read:
                add_edge(f"version:{u['version_id']}", f"run:{u['run_id']}", "input", u["node_id"], u["input"])
            fetched = {v.pk: v for v in _version_queryset().filter(pk__in=inputs - set(versions))}
            versions.update(fetched)
            upstream = {pk for pk, v in fetched.items() if v.produced_by_id}
        else:
            upstream = set()
        if new_runs:
            runs.update({r.pk: r for r in Run.objects.select_related("pipeline", "pipeline_version").filter(pk__in=new_runs)})
        downstream = new_versions

    # Runs referenced by edges but not loaded (depth cut) are loaded so every edge has both ends.
    referenced = {int(e["source"].split(":")[1]) for e in edges.values() if e["source"].startswith("run:")}
    referenced |= {int(e["target"].split(":")[1]) for e in edges.values() if e["target"].startswith("run:")}
    missing_runs = referenced - set(runs)
    if missing_runs:
        runs.update({r.pk: r for r in Run.objects.select_related("pipeline", "pipeline_version").filter(pk__in=missing_runs)})
    referenced_versions = {int(e[k].split(":")[1]) for e in edges.values() for k in ("source", "target") if e[k].startswith("version:")}
    missing_versions = referenced_versions - set(versions)
    if missing_versions:
        versions.update({v.pk: v for v in _version_queryset().filter(pk__in=missing_versions)})

    names = dict(Dataset.objects.filter(pk__in={v.dataset_id for v in versions.values()}).values_list("pk", "name"))
    kinds = dict(Dataset.objects.filter(pk__in={v.dataset_id for v in versions.values()}).values_list("pk", "kind"))
    nodes = [
        {
            "id": f"version:{v.pk}",
            "type": "version",
            "version_id": v.pk,
            "dataset": v.dataset_id,
            "dataset_name": names.get(v.dataset_id, ""),
            "kind": kinds.get(v.dataset_id, ""),
            "number": v.number,
            "sha256": v.sha256,
            "size": v.size,
            "uri": v.uri,
            "created_at": v.created_at,
            "produced_by_run": v.produced_by.run_id if v.produced_by_id else None,
        }
        for v in sorted(versions.values(), key=lambda v: (v.dataset_id != dataset.pk, v.dataset_id, v.number))
    ] + [
        {
            "id": f"run:{r.pk}",
            "type": "run",
            "run_id": r.pk,
            "pipeline": r.pipeline_id,
            "pipeline_name": r.pipeline.name,
            "pipeline_version": r.pipeline_version.number,
            "status": r.status,
            "trigger_kind": r.trigger_kind,
            "created_at": r.created_at,
        }
        for r in sorted(runs.values(), key=lambda r: r.pk)
    ]
    return {
        "dataset": {"id": dataset.pk, "name": dataset.name, "kind": dataset.kind},
        "nodes": nodes,
        "edges": sorted(edges.values(), key=lambda e: (e["source"], e["target"], e["node"], e["port"])),
    }


def _output_name(version: DatasetVersion) -> str:
    # Published versions are named after the output they came from (services.step_outputs_publish).
    return version.filename
