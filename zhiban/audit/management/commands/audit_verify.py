"""`manage.py audit_verify`: check the audit chain, exit 1 at the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiban.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit trail in order and report the first changed, inserted or "
        "deleted entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=2000,
            help="Rows read from the database at a time.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify_chain(chunk_size=options["chunk_size"])
        if not verdict.intact:
            raise CommandError(verdict.message, returncode=1)
        self.stdout.write(self.style.SUCCESS(verdict.message))
