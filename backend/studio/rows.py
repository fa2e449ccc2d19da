"""Helpers for list endpoints that shape `.values()` rows into JSON by hand.

A list page of 200 items through nested ModelSerializers costs tens of
milliseconds of per-field Python; plain dicts cost a fraction of it. The
serializer of such a list stays the OpenAPI description of its items, and a
test checks that the rows and the serializer agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def datetime_formatter() -> Callable[[datetime | None], str | None]:
    """What DRF's DateTimeField renders (ISO 8601 in the current time zone, UTC as "Z").

    The time zone is looked up once per call of this function (once per
    request) instead of once per value.
    """
    field = serializers.DateTimeField()
    zone = field.default_timezone()
    output_format = api_settings.DATETIME_FORMAT
    if zone is None or output_format is None or output_format.lower() != ISO_8601:
        return field.to_representation  # settings this project does not use: stay exact, not fast

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


class PagedRows:
    """What a list view hands the paginator: COUNT(*) of `counted`, the page's rows from `rows`.

    `rows` is `counted` (already filtered) plus joins that only add columns,
    such as a run's pipeline name. PostgreSQL cannot drop an inner join from
    a COUNT(*), so counting `rows` would join every row of the table; counting
    `counted` reads one index.
    """

    def __init__(self, *, counted: QuerySet[Any], rows: QuerySet[Any]) -> None:
        self.counted, self.rows = counted, rows

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, key: slice) -> list[Any]:
        return list(self.rows[key])
