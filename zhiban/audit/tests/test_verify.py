"""`audit_verify` finds the first changed, inserted or deleted entry."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from zhiban.audit.models import AuditEntry
from zhiban.audit.services import entry_hash
from zhiban.audit.verify import Problem, verify_chain
from zhiban.org.tests.factories import UserFactory

TABLE = "audit_auditentry"


def _drop_append_only_trigger() -> None:
    # The test's transaction rolls this back: the trigger is back for the next test.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER audit_auditentry_append_only ON {TABLE}")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_append_only")


def _raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def chain(db):
    """Five entries written through the service, ids spaced by ten."""
    from zhiban.audit.services import audit_record

    actor = UserFactory()
    for number in range(5):
        audit_record(actor=actor, action="test.step", target=actor, data={"n": number})
    _drop_append_only_trigger()
    # Spread the ids so that a forged row can be slipped in between two of them;
    # ids are not part of the hash, so the chain stays intact.
    _raw(f"UPDATE {TABLE} SET id = id * 10")
    return list(AuditEntry.objects.order_by("id"))


def _verify_command() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue().strip()


def _forge(*, entry_id: int, prev_hash: str, action: str = "test.forged") -> str:
    at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    forged_hash = entry_hash(
        prev_hash=prev_hash,
        at_iso=at.isoformat(),
        actor_id=None,
        on_behalf_of_id=None,
        action=action,
        object_type="",
        object_id="",
        object_repr="",
        data={},
    )
    _raw(
        f"INSERT INTO {TABLE} (id, at, action, object_type, object_id, object_repr,"
        " data, prev_hash, hash) VALUES (%s, %s, %s, '', '', '', %s, %s, %s)",
        [entry_id, at, action, "{}", prev_hash, forged_hash],
    )
    return forged_hash


@pytest.mark.django_db
def test_an_intact_chain_reports_its_length_and_exits_zero(chain):
    with translation.override("en"):
        assert _verify_command() == (0, "5 entries, chain intact.")


@pytest.mark.django_db
def test_an_empty_chain_is_intact():
    with translation.override("en"):
        assert _verify_command() == (0, "0 entries, chain intact.")


@pytest.mark.django_db
def test_a_changed_entry_is_reported_by_id(chain):
    _raw(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["forged", chain[2].id])

    with translation.override("en"):
        assert _verify_command() == (
            1,
            f"Entry #{chain[2].id} was changed after it was written: its hash does "
            "not match its content.",
        )
    verdict = verify_chain()
    assert (verdict.problem, verdict.entry_id) == (Problem.CHANGED, chain[2].id)


@pytest.mark.django_db
def test_a_changed_entry_whose_hash_was_recomputed_breaks_the_next_link(chain):
    # A forger who rewrites the row and its hash still breaks the next entry's link.
    entry = chain[1]
    new_hash = entry_hash(
        prev_hash=entry.prev_hash,
        at_iso=entry.at.astimezone(datetime.UTC).isoformat(),
        actor_id=entry.actor_id,
        on_behalf_of_id=None,
        action="test.rewritten",
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        data=entry.data,
    )
    _raw(
        f"UPDATE {TABLE} SET action = %s, hash = %s WHERE id = %s",
        ["test.rewritten", new_hash, entry.id],
    )

    verdict = verify_chain()

    assert (verdict.problem, verdict.entry_id, verdict.previous_id) == (
        Problem.DELETED,
        chain[2].id,
        chain[1].id,
    )


@pytest.mark.django_db
def test_an_inserted_entry_with_a_wrong_link_is_reported(chain):
    forged_id = chain[2].id + 5
    _forge(entry_id=forged_id, prev_hash="f" * 64)

    with translation.override("en"):
        assert _verify_command() == (
            1,
            f"Entry #{forged_id} was inserted: it is not linked to the entry before it.",
        )


@pytest.mark.django_db
def test_an_inserted_entry_linked_to_its_predecessor_is_reported(chain):
    # A forger who knows the algorithm links the row to the one before it.
    forged_id = chain[2].id + 5
    _forge(entry_id=forged_id, prev_hash=chain[2].hash)

    verdict = verify_chain()

    assert (verdict.problem, verdict.entry_id) == (Problem.INSERTED, forged_id)


@pytest.mark.django_db
def test_a_deleted_entry_is_reported_as_a_broken_link(chain):
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", [chain[2].id])

    with translation.override("en"):
        assert _verify_command() == (
            1,
            f"Entries were deleted between entry #{chain[1].id} and entry "
            f"#{chain[3].id}: the link between them is broken.",
        )


@pytest.mark.django_db
def test_a_deleted_first_entry_is_reported(chain):
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", [chain[0].id])

    with translation.override("en"):
        assert _verify_command() == (
            1,
            f"Entries were deleted before entry #{chain[1].id}: it does not start "
            "the chain.",
        )


@pytest.mark.django_db
def test_the_verdict_is_in_simplified_chinese_by_default(chain):
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", [chain[2].id])

    with translation.override("zh-hans"):
        assert verify_chain().message == (
            f"第 {chain[1].id} 条与第 {chain[3].id} 条之间的记录被删除：两者之间的链接已断开。"
        )


@pytest.mark.django_db
def test_small_chunks_give_the_same_verdict(chain):
    _raw(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["x", chain[4].id])

    verdict = verify_chain(chunk_size=2)

    assert (verdict.problem, verdict.entry_id, verdict.count) == (
        Problem.CHANGED,
        chain[4].id,
        5,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET action = 'x'", f"DELETE FROM {TABLE}"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_entries(statement):
    from zhiban.audit.services import audit_record

    audit_record(actor=None, action="test.one")
    if statement.startswith("DELETE") and connection.vendor == "sqlite":
        pytest.skip("SQLite keeps no DELETE trigger (tests empty tables with DELETE)")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(statement)

    assert AuditEntry.objects.get().action == "test.one"
