"""Background tasks of the platform itself."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import transaction

from zhiban.audit.services import audit_record_once

PING_ACTION = "core.ping"


@shared_task(name="core.ping")
def ping(marker: str) -> int:
    """Record, once per marker, that a worker ran a task; return the entry's id.

    The health check of the background machinery: safe to run twice, a second
    delivery of the same marker finds the first entry and records nothing.
    """
    entry, _created = audit_record_once(
        action=PING_ACTION, key=marker, data={"worker": socket.gethostname()}
    )
    return entry.pk


def ping_enqueue(*, marker: str, queue: str | None = None) -> None:
    """Send a ping to the workers once the current transaction commits."""
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: ping.apply_async(args=[marker], **options))
