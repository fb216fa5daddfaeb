"""Write the audit trail. Every service of every app records what it did here."""

from __future__ import annotations

import datetime
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


def _iso(moment: datetime.datetime) -> str:
    # UTC, whatever zone the database driver hands the time back in.
    return moment.astimezone(datetime.UTC).isoformat()


def row_hash(row: dict[str, Any]) -> str:
    """Return the hash an entry's stored row (a values() dict) should carry."""
    return entry_hash(
        prev_hash=row["prev_hash"],
        at_iso=_iso(row["at"]),
        actor_id=row["actor_id"],
        on_behalf_of_id=row["on_behalf_of_id"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        object_repr=row["object_repr"],
        data=row["data"],
    )


def _lock_chain() -> None:
    # Two writers must never read the same last hash. On PostgreSQL a transaction-level
    # advisory lock queues them until the holder commits; SQLite runs IMMEDIATE
    # transactions (settings), so a writer holds the database lock from its first
    # statement and writers are already one at a time.
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
    # Writers queue on the chain lock until their transaction commits, so a service
    # calls this after its other writes: taking row locks while holding the chain
    # lock invites deadlocks on PostgreSQL and makes every other writer wait longer.
    # No savepoint inside a caller's transaction: nobody catches a failure here to
    # carry on, and a savepoint costs two round trips per call (bench/README.md).
    with transaction.atomic(savepoint=False):
        _lock_chain()
        return _append(
            actor=actor,
            action=action,
            target=target,
            on_behalf_of=on_behalf_of,
            data=data,
        )


def audit_record_once(
    *,
    action: str,
    key: str,
    actor: Any | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[AuditEntry, bool]:
    """Append an entry unless one with this action and key exists; say if it was new.

    For background tasks, which may run twice: the check happens under the chain lock,
    so two deliveries of the same task at once still record one entry.
    """
    # No savepoint inside a caller's transaction: nobody catches a failure here to
    # carry on, and a savepoint costs two round trips per call (bench/README.md).
    with transaction.atomic(savepoint=False):
        _lock_chain()
        existing = (
            AuditEntry.objects.filter(action=action, data__key=key)
            .order_by("id")
            .first()
        )
        if existing is not None:
            return existing, False
        entry = _append(
            actor=actor,
            action=action,
            target=target,
            on_behalf_of=None,
            data={**(data or {}), "key": key},
        )
        return entry, True


def _append(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None,
    on_behalf_of: Any | None,
    data: dict[str, Any] | None,
) -> AuditEntry:
    # The caller holds the chain lock.
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
            at_iso=_iso(at),
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
