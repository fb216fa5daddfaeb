"""`manage.py supervision_tallies`: check or rebuild the finished items' tallies."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhiban.supervision import tallies


class Command(BaseCommand):
    help = (
        "Compare the dashboard's tallies of closed and archived items with a recount "
        "(--check), or count them again (after data loaded past the services)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report the differences; exit with an error if there are any.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            differing = tallies.differences()
            for key, (kept, counted) in sorted(differing.items(), key=str)[:20]:
                self.stdout.write(f"{key}: kept {kept}, recounted {counted}")
            stale = tallies.stale_copies()
            if stale:
                self.stdout.write(
                    f"{stale} department rows hold out-of-date copies of their item."
                )
            if differing or stale:
                raise CommandError(
                    f"{len(differing)} tally rows differ from a recount; "
                    f"{stale} department rows are out of date."
                )
            self.stdout.write(self.style.SUCCESS("The tallies agree with a recount."))
            return
        rows = tallies.rebuild()
        repaired = tallies.repair_copies()
        self.stdout.write(
            self.style.SUCCESS(
                f"{rows} tally rows counted; {repaired} department rows brought up "
                "to date."
            )
        )
