"""Import an organisation chart from an Excel workbook: a dry run unless --apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiban.org import importing


class Command(BaseCommand):
    help = "Check (and with --apply, import) units, departments and people from .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Import when the file is clean (default: check only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as stream:
            if options["apply"]:
                result = importing.import_apply(stream, name=path.name, by=None)
            else:
                result = importing.import_check(stream, name=path.name)
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} problem(s); nothing was imported."
            )
        counts = result.counts
        summary = (
            f"{counts['units']} unit(s), {counts['departments']} department(s), "
            f"{counts['people']} person(s)"
        )
        if result.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))
        else:
            self.stdout.write(f"The file is clean: {summary}. Run with --apply.")
