"""`manage.py seed_demo`: create the fictional coal group of the demo (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiban.core.demo.data import PASSWORD
from zhiban.core.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Seed the demo organisation 豫能焦煤集团 (fictional): units, departments, "
        "people in every role, delegations, work items and notices. Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to seed demo data with DEBUG off: every demo account has "
                "the same known password. Use --force if this really is a demo."
            )
        report = seed_demo()
        for note in report.notes:
            self.stdout.write(self.style.WARNING(f"note: {note}"))
        if not report.created:
            self.stdout.write("Demo data already present: nothing to do.")
            return
        made = ", ".join(f"{count} {what}" for what, count in report.created.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data seeded: {made}."))
        self.stdout.write(f"Every demo account has the password {PASSWORD!r}.")
