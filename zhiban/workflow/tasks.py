"""Background jobs of approval flows: thin, take ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from zhiban.workflow.timeouts import timeouts_sweep


@shared_task(name="zhiban.workflow.tasks.sweep_timeouts")
def sweep_timeouts() -> int:
    """Apply the due node timeouts (every minute); each node visit times out once."""
    return timeouts_sweep(now=timezone.now())
