"""Background jobs of the to-do centre: thin, take ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from zhiban.inbox import services

# Deliveries per queued task when many are sent at once: queueing one message per
# delivery would make publishing to thousands of people wait on the broker.
BATCH = 50


@shared_task(name="zhiban.inbox.tasks.send_delivery")
def send_delivery(delivery_id: int) -> str:
    """Send one delivery on its outside channel, unless it was already sent."""
    return services.delivery_send(delivery_id=delivery_id, now=timezone.now())


@shared_task(name="zhiban.inbox.tasks.send_deliveries")
def send_deliveries(delivery_ids: list[int]) -> list[str]:
    """Send a batch of deliveries (one notice to a whole department, say)."""
    return [
        services.delivery_send(delivery_id=delivery_id, now=timezone.now())
        for delivery_id in delivery_ids
    ]


@shared_task(name="zhiban.inbox.tasks.retry_deliveries")
def retry_deliveries() -> int:
    """Queue every delivery whose next attempt is due (every minute)."""
    ids = services.deliveries_due(now=timezone.now())
    for start in range(0, len(ids), BATCH):
        send_deliveries.delay(ids[start : start + BATCH])
    return len(ids)


@shared_task(name="zhiban.inbox.tasks.sweep_due")
def sweep_due() -> dict[str, int]:
    """Remind before the due time and escalate after it (every five minutes)."""
    now = timezone.now()
    return {
        "reminded": services.work_items_remind_due(now=now),
        "escalated": services.work_items_escalate_overdue(now=now),
    }
