"""Background jobs of supervision: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from zhiban.supervision.escalation import escalation_sweep


@shared_task(name="zhiban.supervision.tasks.sweep")
def sweep() -> dict[str, int]:
    """Send the urge ladder's rungs that are due (every 15 minutes)."""
    return escalation_sweep()
