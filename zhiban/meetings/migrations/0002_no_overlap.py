"""No two active bookings of a room overlap: the database refuses it (ADR 12).

PostgreSQL: an exclusion constraint over (room =, [starts_at, ends_at) &&) for
pending and confirmed bookings, which needs the btree_gist extension for the
equality on the room. SQLite: triggers that refuse an insert or update making an
active booking overlap another; writers are one at a time there (IMMEDIATE
transactions), so the trigger's look is never stale. Both fail with the name
``meetings_booking_no_overlap``, which the services turn into one message.

The constraint is added here, not in ``Booking.Meta``: Django would validate it in
``full_clean()`` on SQLite too. A later migration that makes SQLite rebuild the
table (most AlterField) drops the triggers with the old table and must create
them again; ``tests/test_database_guard.py`` fails if it does not.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

NAME = "meetings_booking_no_overlap"
ACTIVE = "('pending', 'confirmed')"


def _overlap_sql(new: str, exclude_self: bool) -> str:
    self_clause = f" AND other.id <> {new}.id" if exclude_self else ""
    # Built of this module's constants only.
    return (
        f"SELECT RAISE(ABORT, '{NAME}') WHERE EXISTS ("  # noqa: S608
        "SELECT 1 FROM meetings_booking AS other"
        f" WHERE other.room_id = {new}.room_id"
        f" AND other.state IN {ACTIVE}"
        f" AND other.starts_at < {new}.ends_at"
        f" AND other.ends_at > {new}.starts_at{self_clause})"
    )


SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {NAME}_insert BEFORE INSERT ON meetings_booking
    WHEN NEW.state IN {ACTIVE}
    BEGIN {_overlap_sql("NEW", False)}; END
    """,
    f"""
    CREATE TRIGGER {NAME}_update
    BEFORE UPDATE OF room_id, starts_at, ends_at, state ON meetings_booking
    WHEN NEW.state IN {ACTIVE}
    BEGIN {_overlap_sql("NEW", True)}; END
    """,
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {NAME}_insert",
    f"DROP TRIGGER IF EXISTS {NAME}_update",
]


def no_overlap_constraint():  # type: ignore[no-untyped-def]
    """Return the PostgreSQL exclusion constraint (imported only where it runs)."""
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import RangeOperators
    from django.db.models import Q

    from zhiban.meetings.ranges import TsTzRange

    return ExclusionConstraint(
        name=NAME,
        expressions=[
            (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
            ("room", RangeOperators.EQUAL),
        ],
        condition=Q(state__in=("pending", "confirmed")),
    )


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.add_constraint(
            apps.get_model("meetings", "Booking"), no_overlap_constraint()
        )
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.remove_constraint(
            apps.get_model("meetings", "Booking"), no_overlap_constraint()
        )
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [
        # Does nothing on other databases than PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(forward, backward),
    ]
