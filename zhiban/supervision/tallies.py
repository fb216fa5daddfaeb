"""Tallies of finished items (``FinishedTally``): kept by the services, read by analytics.

``count(item, sign)`` adds (+1) or removes (-1) one finished item in the transaction
that closes or archives it, with one ``INSERT … ON CONFLICT DO UPDATE`` per row, so
that two items closed at the same moment are both counted (PostgreSQL and SQLite
both take the increment atomically). ``rebuild()`` recounts from the items, for the
migration that introduced the tallies and for repair (``manage.py
supervision_tallies``); ``differences()`` says whether the kept tallies still agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q

from zhiban.supervision.models import (
    FINISHED_STATES,
    RUNNING_STATES,
    TALLY_KEY,
    FinishedTally,
    ItemDepartment,
    Report,
    SupervisionItem,
)

Key = tuple[int, str, int, int, str, str]
VALUES = ("items", "feedback", "feedback_on_time", "completion", "completion_on_time")
KEY_FIELDS = TALLY_KEY
FEEDBACK = Q(
    kind__in=(Report.Kind.SIGN, Report.Kind.PLAN, Report.Kind.PROGRESS),
    node__isnull=False,
)
COMPLETION = Q(kind=Report.Kind.COMPLETION)


def report_counts() -> dict[str, Any]:
    return {
        "feedback": Count("id", filter=FEEDBACK),
        "feedback_on_time": Count("id", filter=FEEDBACK & Q(on_time=True)),
        "completion": Count("id", filter=COMPLETION),
        "completion_on_time": Count("id", filter=COMPLETION & Q(on_time=True)),
    }


def _keys(item: SupervisionItem, *, state: str) -> list[Key]:
    common = (item.lead_department_id, item.leader_id, item.source, state)
    roles = item.departments.order_by().values_list("department_id", "role")
    return [
        (item.lead_department_id, FinishedTally.ALL, *common),
        *((department, role, *common) for department, role in roles),
    ]


# The tally's report columns and the item's own counters of its reports.
ITEM_COUNTERS = {
    "feedback": "feedback_reports",
    "feedback_on_time": "feedback_on_time",
    "completion": "completion_reports",
    "completion_on_time": "completion_on_time",
}


def count(item: SupervisionItem, *, sign: int, state: str | None = None) -> None:
    """Add (sign=1) or take away (sign=-1) one finished item, in its state."""
    values = [sign, *(sign * getattr(item, ITEM_COUNTERS[name]) for name in VALUES[1:])]
    table = connection.ops.quote_name(FinishedTally._meta.db_table)
    columns = ", ".join((*KEY_FIELDS, *VALUES))
    marks = ", ".join(["%s"] * (len(KEY_FIELDS) + len(VALUES)))
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in VALUES)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 - names are the model's own; every value is a parameter
        f"ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[*key, *values] for key in _keys(item, state=state or item.state)]
        )


def _models(apps: Any) -> tuple[Any, Any, Any, Any]:
    """The models, current or (in a migration) historical."""
    if apps is None:
        return SupervisionItem, ItemDepartment, Report, FinishedTally
    return tuple(
        apps.get_model("supervision", name)
        for name in ("SupervisionItem", "ItemDepartment", "Report", "FinishedTally")
    )


def recount(apps: Any = None) -> dict[Key, dict[str, int]]:
    """Count the finished items from scratch: four grouped queries."""
    SupervisionItem, ItemDepartment, Report, _ = _models(apps)
    finished = Q(state__in=FINISHED_STATES)
    fields = ("lead_department_id", "leader_id", "source", "state")
    tallies: dict[Key, dict[str, int]] = defaultdict(Counter)  # type: ignore[arg-type]
    for row in (
        SupervisionItem.objects.filter(finished)
        .order_by()
        .values(*fields)
        .annotate(n=Count("id"))
    ):
        key = (row["lead_department_id"], FinishedTally.ALL, *(row[f] for f in fields))
        tallies[key]["items"] += row["n"]  # type: ignore[index]
    for row in (
        Report.objects.filter(item__state__in=FINISHED_STATES)
        .order_by()
        .values(*(f"item__{f}" for f in fields))
        .annotate(**report_counts())
    ):
        key = (
            row["item__lead_department_id"],
            FinishedTally.ALL,
            *(row[f"item__{f}"] for f in fields),
        )
        for name in VALUES[1:]:
            tallies[key][name] += row[name]  # type: ignore[index]
    for row in (
        ItemDepartment.objects.filter(item__state__in=FINISHED_STATES)
        .order_by()
        .values("department_id", "role", *(f"item__{f}" for f in fields))
        .annotate(n=Count("id"))
    ):
        key = (
            row["department_id"],
            row["role"],
            *(row[f"item__{f}"] for f in fields),
        )
        tallies[key]["items"] += row["n"]  # type: ignore[index]
    for row in (
        Report.objects.filter(item__state__in=FINISHED_STATES)
        .order_by()
        .values(
            "item__departments__department_id",
            "item__departments__role",
            *(f"item__{f}" for f in fields),
        )
        .annotate(**report_counts())
    ):
        if row["item__departments__department_id"] is None:
            continue
        key = (
            row["item__departments__department_id"],
            row["item__departments__role"],
            *(row[f"item__{f}"] for f in fields),
        )
        for name in VALUES[1:]:
            tallies[key][name] += row[name]  # type: ignore[index]
    return {
        key: {name: counts[name] for name in VALUES} for key, counts in tallies.items()
    }


def kept() -> dict[Key, dict[str, int]]:
    """Return the tallies as kept (rows that count nothing left out)."""
    return {
        tuple(row[f] for f in KEY_FIELDS): {name: row[name] for name in VALUES}  # type: ignore[misc]
        for row in FinishedTally.objects.values(*KEY_FIELDS, *VALUES)
        if any(row[name] for name in VALUES)
    }


def differences() -> dict[Key, tuple[dict[str, int] | None, dict[str, int] | None]]:
    """Return each key whose kept tally differs from a recount: (kept, recounted)."""
    have, want = kept(), recount()
    return {
        key: (have.get(key), want.get(key))
        for key in set(have) | set(want)
        if have.get(key) != want.get(key)
    }


def rebuild(apps: Any = None) -> int:
    """Replace every tally with a recount; return how many rows there are now."""
    FinishedTally = _models(apps)[3]
    counted = recount(apps)
    with transaction.atomic():
        FinishedTally.objects.all().delete()
        FinishedTally.objects.bulk_create(
            (
                FinishedTally(**dict(zip(KEY_FIELDS, key, strict=True)), **values)
                for key, values in counted.items()
            ),
            batch_size=2000,
        )
    return len(counted)


# --- the item's facts on its department rows (ADR 11) ---------------------------------


def _items_and_stale_rows() -> tuple[str, str]:
    """The items' facts as a derived table, and the condition of an out-of-date row."""
    running = ", ".join(f"'{state}'" for state in sorted(map(str, RUNNING_STATES)))
    select = "SELECT id, state IN ({}) AS running, issued_on, closed_at"
    items = f"({select.format(running)} FROM supervision_supervisionitem) AS items"
    stale = """supervision_itemdepartment.item_id = items.id AND (
    supervision_itemdepartment.item_running IS DISTINCT FROM items.running
    OR supervision_itemdepartment.item_issued_on IS DISTINCT FROM items.issued_on
    OR supervision_itemdepartment.item_closed_at IS DISTINCT FROM items.closed_at
)"""
    return items, stale


def stale_copies() -> int:
    """Count department rows whose copies of their item's facts are out of date."""
    items, stale = _items_and_stale_rows()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM supervision_itemdepartment, {items} WHERE {stale}"  # noqa: S608 - no input
        )
        return int(cursor.fetchone()[0])


def repair_copies() -> int:
    """Bring the out-of-date copies up to date; return how many rows changed."""
    items, stale = _items_and_stale_rows()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE supervision_itemdepartment SET item_running = items.running, "  # noqa: S608 - no input
            "item_issued_on = items.issued_on, item_closed_at = items.closed_at "
            f"FROM {items} WHERE {stale}"
        )
        return int(cursor.rowcount)
