"""Writes of pipelines: create, save a new version, delete.

Every write validates first and only then opens one transaction, so a
rejected request leaves no rows behind.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from pipelines import graph as graph_lib
from pipelines import selectors
from pipelines.models import Pipeline, PipelineVersion
from studio.errors import Conflict, InvalidInput, NotFound, Problem

User = AbstractBaseUser | AnonymousUser | None


def pipeline_validate(*, graph: Any, parameters: Any) -> list[Problem]:
    """Every problem of a graph document and its parameters ([] when it can be saved)."""
    from datasets.selectors import datasets_for_graph  # datasets depends on runs, which depends on pipelines

    component_versions = selectors.component_versions_for_graph(graph)
    return graph_lib.validate(graph, parameters, component_versions=component_versions, datasets=datasets_for_graph(graph))


def pipeline_create(
    *, name: str, description: str, graph: Any, parameters: Any, message: str = "", user: User = None
) -> Pipeline:
    name = name.strip()
    _raise_if_invalid(_name_problems(name, exclude_pk=None) + pipeline_validate(graph=graph, parameters=parameters))
    document, params, digest = _canonical(graph, parameters)
    author = _author(user)
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(name=name, description=description, created_by=author)
            PipelineVersion.objects.create(
                pipeline=pipeline, number=1, graph=document, parameters=params, digest=digest, message=message, author=author
            )
    except IntegrityError:
        # Someone took the name between our check and the insert.
        _raise_if_invalid(_name_problems(name, exclude_pk=None))
        raise
    return pipeline


def pipeline_update(
    *,
    pipeline: Pipeline,
    name: str,
    description: str,
    graph: Any,
    parameters: Any,
    message: str = "",
    user: User = None,
) -> tuple[Pipeline, PipelineVersion, bool]:
    """Save the pipeline; returns (pipeline, its latest version, whether a version was created).

    A new version is made only when the canonical (graph, parameters) differs
    from the latest version's, so saving twice does not grow the history.
    Layout counts: moving a node is a change the user chose to save.
    """
    name = name.strip()
    _raise_if_invalid(_name_problems(name, exclude_pk=pipeline.pk) + pipeline_validate(graph=graph, parameters=parameters))
    document, params, digest = _canonical(graph, parameters)
    try:
        with transaction.atomic():
            # The row lock serialises saves of one pipeline, so two concurrent
            # saves get numbers n+1 and n+2 instead of one failing on the
            # unique (pipeline, number) constraint.
            locked = Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
            if locked is None:
                raise NotFound(f"Pipeline {pipeline.pk} does not exist.", [Problem(code="not_found", message=f"Pipeline {pipeline.pk} does not exist.")])
            latest = locked.versions.order_by("-number").first()
            created = latest is None or latest.digest != digest
            if created:
                latest = PipelineVersion.objects.create(
                    pipeline=locked,
                    number=(latest.number + 1) if latest is not None else 1,
                    graph=document,
                    parameters=params,
                    digest=digest,
                    message=message,
                    author=_author(user),
                )
            if created or locked.name != name or locked.description != description:
                locked.name = name
                locked.description = description
                locked.save(update_fields=["name", "description", "updated_at"])
    except IntegrityError:
        _raise_if_invalid(_name_problems(name, exclude_pk=pipeline.pk))
        raise
    assert latest is not None
    return locked, latest, created


def pipeline_delete(*, pipeline: Pipeline) -> None:
    """Delete a pipeline with its versions and finished runs; refused while a run is still going."""
    from runs.models import RUN_TERMINAL, Run  # runs depends on pipelines, not the other way round

    with transaction.atomic():
        locked = Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
        if locked is None:
            raise NotFound(f"Pipeline {pipeline.pk} does not exist.", [Problem(code="not_found", message=f"Pipeline {pipeline.pk} does not exist.")])
        active = Run.objects.filter(pipeline=locked).exclude(status__in=list(RUN_TERMINAL)).count()
        if active:
            message = f"Pipeline {locked.name!r} has {active} unfinished run(s); abort them before deleting it."
            raise Conflict(message, [Problem(code="has_active_runs", message=message)])
        try:
            # Run.pipeline_version is PROTECT (a run must keep the graph it ran),
            # so the runs go first, then the pipeline cascades to its versions.
            Run.objects.filter(pipeline=locked).delete()
            locked.delete()
        except ProtectedError as exc:
            message = f"Pipeline {locked.name!r} cannot be deleted: other records still refer to its runs ({exc.args[0]})."
            raise Conflict(message, [Problem(code="protected", message=message)]) from None


# ---------------------------------------------------------------------------


def _name_problems(name: str, *, exclude_pk: int | None) -> list[Problem]:
    if not name:
        return [Problem(code="blank", message="name: may not be blank.", field="name")]
    taken = Pipeline.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        return [Problem(code="unique", message=f'name: a pipeline named "{name}" already exists.', field="name")]
    return []


def _raise_if_invalid(problems: list[Problem]) -> None:
    if problems:
        count = len(problems)
        raise InvalidInput(f"Pipeline has {count} problem{'s' if count != 1 else ''}.", problems)


def _canonical(graph: Any, parameters: Any) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """The stored form of a validated document: migrated graph, normalised parameters, digest."""
    document = graph_lib.migrate_graph(graph)
    document.setdefault("nodes", [])
    params = graph_lib.normalize_parameters(parameters)
    return document, params, graph_lib.document_digest(document, params)


def _author(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None
