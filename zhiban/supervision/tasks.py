"""Background jobs of supervision: thin, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from zhiban.supervision.escalation import escalation_sweep

logger = logging.getLogger(__name__)


@shared_task(name="zhiban.supervision.tasks.sweep")
def sweep() -> dict[str, int]:
    """Send the urge ladder's rungs that are due (every 15 minutes)."""
    return escalation_sweep()


@shared_task(name="zhiban.supervision.tasks.check_tallies")
def check_tallies() -> dict[str, int]:
    """Recount the finished items' tallies each night; repair them if they differ."""
    from zhiban.supervision import tallies

    differing = len(tallies.differences())
    if differing:
        logger.warning(
            "supervision tallies differed from a recount in %d rows; rebuilt", differing
        )
        tallies.rebuild()
    stale = tallies.repair_copies()
    if stale:
        logger.warning(
            "supervision department rows held out-of-date item facts in %d rows; "
            "repaired",
            stale,
        )
    return {"differing": differing, "stale_copies": stale}
