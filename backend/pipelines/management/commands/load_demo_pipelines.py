from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from pipelines.examples import examples_load


class Command(BaseCommand):
    help = "Create the example pipelines of component_library/pipelines/ that do not exist yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(settings.COMPONENT_LIBRARY_DIR))

    def handle(self, *args: Any, **options: Any) -> None:
        for pipeline, created in examples_load(library_dir=Path(options["dir"])):
            self.stdout.write(f"{'created' if created else 'exists '}  pipeline '{pipeline.name}' (id {pipeline.pk})")
