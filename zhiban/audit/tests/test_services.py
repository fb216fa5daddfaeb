"""The chain under concurrent writers, and record-once for repeatable tasks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from zhiban.audit.models import AuditEntry
from zhiban.audit.services import GENESIS_HASH, audit_record, audit_record_once
from zhiban.audit.verify import verify_chain
from zhiban.org.tests.factories import UserFactory

THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain() -> None:
    # Given a user, and eight threads each with its own database connection
    actor = UserFactory()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            barrier.wait()
            for step in range(PER_THREAD):
                with transaction.atomic():
                    audit_record(
                        actor=actor,
                        action="test.concurrent",
                        target=actor,
                        data={"thread": number, "step": step},
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]

    # When they all write at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every entry is in one chain, none forked or lost
    assert errors == []
    verdict = verify_chain()
    assert verdict.intact, verdict.message
    assert verdict.count == THREADS * PER_THREAD
    assert AuditEntry.objects.filter(prev_hash=GENESIS_HASH).count() == 1
    assert AuditEntry.objects.values("prev_hash").distinct().count() == (
        THREADS * PER_THREAD
    )


@pytest.mark.django_db
def test_audit_record_chains_each_entry_to_the_previous():
    actor = UserFactory()
    first = audit_record(actor=actor, action="test.one", target=actor)
    second = audit_record(actor=actor, action="test.two", data={"n": 1})

    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.object_type == "org.user"
    assert first.object_id == str(actor.pk)
    assert second.data == {"n": 1}


@pytest.mark.django_db
def test_audit_record_once_records_a_key_once():
    first, first_created = audit_record_once(action="test.ping", key="k-1")
    again, again_created = audit_record_once(action="test.ping", key="k-1")
    other, other_created = audit_record_once(action="test.ping", key="k-2")

    assert (first_created, again_created, other_created) == (True, False, True)
    assert again.pk == first.pk
    assert other.pk != first.pk
    assert first.data == {"key": "k-1"}
    assert AuditEntry.objects.filter(action="test.ping").count() == 2


@pytest.mark.django_db
def test_entries_refuse_save_and_delete_through_the_orm():
    entry = audit_record(actor=None, action="test.one")
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
