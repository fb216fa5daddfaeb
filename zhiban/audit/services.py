"""Write the audit trail. Every service of every app records what it did here."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from zhiban.audit.models import AuditEntry

GENESIS_HASH = "0" * 64
# Any fixed number: the key of the PostgreSQL advisory lock that orders the chain.
_CHAIN_LOCK_KEY = 7_271_001


def entry_hash(
    *,
    prev_hash: str,
    at_iso: str,
    actor_id: int | None,
    on_behalf_of_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    data: dict[str, Any],
) -> str:
    """Return the SHA-256 of an entry's content chained to the previous hash."""
    payload = json.dumps(
        [
            prev_hash,
            at_iso,
            actor_id,
            on_behalf_of_id,
            action,
            object_type,
            object_id,
            object_repr,
            data,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    # SQLite runs IMMEDIATE transactions, so writers are already one at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    on_behalf_of: Any | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction."""
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS_HASH
        at = timezone.now()
        details = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
        object_type = target._meta.label_lower if target is not None else ""
        object_id = str(target.pk) if target is not None else ""
        object_repr = str(target)[:200] if target is not None else ""
        actor_id = actor.pk if actor is not None else None
        on_behalf_of_id = on_behalf_of.pk if on_behalf_of is not None else None
        entry = AuditEntry(
            at=at,
            actor_id=actor_id,
            on_behalf_of_id=on_behalf_of_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            data=details,
            prev_hash=prev_hash,
            hash=entry_hash(
                prev_hash=prev_hash,
                at_iso=at.isoformat(),
                actor_id=actor_id,
                on_behalf_of_id=on_behalf_of_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                data=details,
            ),
        )
        entry.save()
        return entry
