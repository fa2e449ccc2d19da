"""`manage.py sync_component_library [--dir DIR]`: load the built-in components into the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services import component_library_sync
from studio.errors import InvalidInput


class Command(BaseCommand):
    help = "Import every component_library/*/component.yaml; unchanged specs keep their version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Library directory (default: settings.COMPONENT_LIBRARY_DIR).")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"] or settings.COMPONENT_LIBRARY_DIR)
        try:
            results = component_library_sync(directory=directory)
        except InvalidInput as exc:
            # Every problem, one per line: the author fixes them all in one go.
            raise CommandError("\n".join([exc.message, *(f"  {p.message}" for p in exc.problems[1:])])) from None
        for version, created in results:
            state = "created" if created else "unchanged"
            self.stdout.write(f"{state:9} {version.component.name} v{version.version}")
        new = sum(1 for _, created in results if created)
        self.stdout.write(f"{len(results)} components, {new} new versions, from {directory}")
