"""`manage.py documents_reindex`: build the documents' full-text search index again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhiban.documents.search import documents_reindex


class Command(BaseCommand):
    help = (
        "Index every document's title, number, sender, recipients and body again, "
        "in batches (after an upgrade, a restore, or data loaded past the services)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Documents read and indexed per transaction.",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Empty the documents' index first (faster; searches miss "
            "documents until the rebuild ends).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = 0
        for done in documents_reindex(
            batch_size=options["batch_size"], clear=options["clear"]
        ):
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} documents indexed")
        self.stdout.write(self.style.SUCCESS(f"{done} documents indexed."))
