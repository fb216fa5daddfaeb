"""Live analytics of supervision (实时分析): every figure is counted by the database.

Each function takes the viewer (what they may see, ``selectors.visible_items``), today's
``LightRule`` (so that a chart's red is the list's red) and a ``Scope`` (the drill-down:
the whole group, one department, one leader, one source, a period of issue). Groups
come back from ``values().annotate()``; Python only arranges the few rows that result.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone

from zhiban.org.models import Department, User
from zhiban.supervision import policies, selectors, tallies
from zhiban.supervision.lights import LIGHT_ORDER, Light, LightRule
from zhiban.supervision.models import (
    COUNTED_OUT_STATES,
    FINISHED_STATES,
    FinishedTally,
    ItemDepartment,
    Source,
    SupervisionItem,
)

State = SupervisionItem.State
WEEKS = 12
OVERDUE_ROWS = 50


@dataclass(frozen=True)
class Scope:
    """The drill-down: narrow everything to one department, leader, source or period."""

    department: int | None = None
    leader: int | None = None
    source: str = ""
    issued_from: datetime.date | None = None
    issued_to: datetime.date | None = None

    def query(self, **changes: Any) -> str:
        """Return the scope (with changes) as a query string for a drill-down link."""
        from urllib.parse import urlencode

        values = {
            "department": self.department,
            "leader": self.leader,
            "source": self.source,
            "issued_from": self.issued_from.isoformat() if self.issued_from else "",
            "issued_to": self.issued_to.isoformat() if self.issued_to else "",
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def counted_items(
    *, viewer: User, scope: Scope, **narrow: Any
) -> QuerySet[SupervisionItem]:
    """Return the issued items the viewer may see, narrowed to the scope.

    ``narrow``: as for ``selectors.involved()``; the caller asks the same of the
    items themselves.
    """
    # Not visible_items(): its "drafts only to their authors" is moot here (no draft
    # is counted), and without it a viewer who sees everything is counted from the
    # weekly indexes alone.
    items = _issued(scope)
    if not policies.sees_everything(viewer):
        items = items.filter(selectors.involved(viewer, **narrow))
    return items


def _issued(scope: Scope) -> QuerySet[SupervisionItem]:
    """Every issued item (never drafts, reviews or cancelled ones) in the scope."""
    return _scoped(SupervisionItem.objects.exclude(state__in=COUNTED_OUT_STATES), scope)


def _counted_parts(
    *, viewer: User, scope: Scope, **narrow: Any
) -> list[QuerySet[SupervisionItem]]:
    """Return the counted items as disjoint parts, each read through an index.

    For a viewer who does not see everything: their departments' items, and those
    they answer for personally outside them. Asked as one OR with the departments'
    ids, PostgreSQL could use an index for neither side and read every item issued
    in twelve weeks (75,000 of 1,000,000) for a head's weekly trend.
    """
    if policies.sees_everything(viewer):
        return [counted_items(viewer=viewer, scope=scope)]
    items = _issued(scope)
    theirs = selectors.department_items(viewer, **narrow)
    return [
        items.filter(pk__in=theirs),
        items.filter(selectors.personally(viewer)).exclude(pk__in=theirs),
    ]


def _scoped(items: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    if scope.department:
        items = items.filter(lead_department_id=scope.department)
    if scope.leader:
        items = items.filter(leader_id=scope.leader)
    if scope.source:
        items = items.filter(source=scope.source)
    if scope.issued_from:
        items = items.filter(issued_on__gte=scope.issued_from)
    if scope.issued_to:
        items = items.filter(issued_on__lte=scope.issued_to)
    return items


@dataclass
class Overview:
    """What the dashboard shows, every number from the database."""

    total: int = 0
    by_light: dict[str, int] = field(default_factory=dict)
    by_state: list[tuple[str, str, int]] = field(default_factory=list)
    by_department: list[dict[str, Any]] = field(default_factory=list)
    by_leader: list[dict[str, Any]] = field(default_factory=list)
    by_source: list[dict[str, Any]] = field(default_factory=list)
    weekly: list[dict[str, Any]] = field(default_factory=list)
    feedback_on_time: tuple[int, int] = (0, 0)
    completion_on_time: tuple[int, int] = (0, 0)
    overdue: list[Any] = field(default_factory=list)

    @staticmethod
    def rate(pair: tuple[int, int]) -> float | None:
        on_time, total = pair
        return None if total == 0 else round(100 * on_time / total, 1)

    @property
    def feedback_rate(self) -> float | None:
        return self.rate(self.feedback_on_time)

    @property
    def completion_rate(self) -> float | None:
        return self.rate(self.completion_on_time)


def _weeks(today: datetime.date) -> list[datetime.date]:
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


# One group of items: (lead department, leader, source, state, light) → how many.
Cell = tuple[int, int, str, str, str]
GROUP = ("lead_department_id", "leader_id", "source", "state")


@dataclass
class _Counts:
    cells: Counter[Cell] = field(default_factory=Counter)
    # Feedback, of it on time, completion requests, of them on time.
    reports: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def add_rows(self, rows: Any, *, light: str | None = None, sign: int = 1) -> None:
        """Add (``sign=-1``: take away) rows of (*GROUP, [light], n, then the four
        report counts).

        Tuples and plain sums: a whole-group dashboard adds some 4,000 rows, and
        this loop was a third of the page's time when it built a dict per row.
        """
        cells, totals = self.cells, self.reports
        width = len(GROUP) + (light is None)
        for row in rows:
            key = row[:width] if light is None else (*row[:width], light)
            cells[key] += sign * row[width]
            for i, value in enumerate(row[width + 1 :]):
                totals[i] += sign * (value or 0)


def _group(items: QuerySet[Any], *extra: str) -> QuerySet[Any]:
    """Items per group, with their reports' counts (kept on each item)."""
    return (
        items.order_by()
        .values(*GROUP, *extra)
        .annotate(
            n=Count("id"),
            **{
                f"{name}_sum": Sum(column)
                for name, column in tallies.ITEM_COUNTERS.items()
            },
        )
        .values_list(*GROUP, *extra, "n", *(f"{n}_sum" for n in tallies.ITEM_COUNTERS))
    )


def _count_running(items: QuerySet[Any], rule: LightRule, counts: _Counts) -> None:
    """Running items, each with today's light: a few percent of all, read live."""
    running = items.filter(rule.running())
    counts.add_rows(_group(running.annotate(light=rule.expression()), "light"))


def _count_finished_live(items: QuerySet[Any], counts: _Counts) -> None:
    counts.add_rows(
        _group(items.filter(state__in=FINISHED_STATES)), light=Light.NONE.value
    )


def _count_finished(
    items: QuerySet[Any], *, viewer: User, scope: Scope, counts: _Counts
) -> None:
    """Finished items: from the tallies where they answer the question, else live.

    The tallies answer for a viewer who sees every item, and for a member of a
    single department (that department's tallies, and the items they assigned as
    leader outside it, plus the few they see for themselves otherwise, counted
    live). A period of issue, or a viewer in several departments, is counted live.
    """
    if scope.issued_from or scope.issued_to:
        _count_finished_live(items, counts)
        return
    rows = FinishedTally.objects.all()
    if not policies.sees_everything(viewer):
        departments = selectors.departments_of(viewer)
        if len(departments) != 1:
            _count_finished_live(items, counts)
            return
        (department,) = departments
        # Seen: the department's items D, those the viewer assigned as leader L, and
        # those they run, created or answer for otherwise O. Counted as
        # D + (L - L in D) from the tallies, and O outside D and L live: a leader
        # assigns a sixth of all items, and their 160,000 finished ids, read into
        # Python and asked back, took 3 s (bench/README.md, supervision).
        theirs_rows = rows.filter(department_id=department).exclude(
            role=FinishedTally.ALL
        )
        parts = [
            (theirs_rows, 1),
            (rows.filter(role=FinishedTally.ALL, leader_id=viewer.pk), 1),
            (theirs_rows.filter(leader_id=viewer.pk), -1),
        ]
        # Found person by person, each through its own index: asked as one OR,
        # SQLite walked every finished item instead (3.6 s at 1,000,000 items).
        mine: set[int] = set()
        for role in (r for r in selectors.PERSONAL_ROLES if r != "leader"):
            mine.update(
                SupervisionItem.objects.filter(
                    state__in=FINISHED_STATES, **{role: viewer}
                )
                .exclude(leader=viewer)
                .values_list("pk", flat=True)
            )
        # Asked of their own items only: the department's 50,000 ids are not needed.
        theirs = ItemDepartment.objects.filter(
            department_id=department, item_id__in=mine
        ).values("item_id")
        outside = _scoped(
            SupervisionItem.objects.filter(pk__in=mine).exclude(pk__in=theirs), scope
        )
        _count_finished_live(outside, counts)
    else:
        parts = [(rows.filter(role=FinishedTally.ALL), 1)]
    for part, sign in parts:
        # The tallies carry the scope's columns (no period here: counted live).
        counts.add_rows(
            _summed(_scoped(part, scope)), light=Light.NONE.value, sign=sign
        )
    # A group the subtraction emptied is no group.
    for cell in [cell for cell, n in counts.cells.items() if n == 0]:
        del counts.cells[cell]


def _summed(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Tally rows per group, as ``_group`` counts items."""
    return (
        rows.order_by()
        .values(*GROUP)
        .annotate(
            n=Sum("items"),
            **{f"{name}_sum": Sum(name) for name in tallies.VALUES[1:]},
        )
        .values_list(*GROUP, "n", *(f"{name}_sum" for name in tallies.VALUES[1:]))
    )


def _breakdown(
    cells: Counter[Cell], index: int, names: dict[Any, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Total, lights and finished per value of one part of the cell."""
    rows: dict[Any, dict[str, Any]] = {}
    lit = [light.value for light in LIGHT_ORDER if light != Light.NONE]
    for cell, n in cells.items():
        key = cell[index]
        row = rows.setdefault(
            key,
            {**names.get(key, {}), "total": 0, "finished": 0, **dict.fromkeys(lit, 0)},
        )
        row["total"] += n
        if cell[3] in FINISHED_STATES:
            row["finished"] += n
        if cell[4] in lit:
            row[cell[4]] += n
    return list(rows.values())


def _week_counts(
    *, viewer: User, scope: Scope, weeks: list[datetime.date]
) -> tuple[dict[datetime.date, int], dict[datetime.date, int]]:
    """Items issued and closed per week: grouped by day, or counted per week.

    Not ``TruncWeek``: SQLite runs it as a Python function per row (324 ms of a
    dashboard at 1,000,000 items). ``COUNT(*)``, not ``COUNT(id)``: for a viewer who
    sees every item, PostgreSQL then reads the weekly indexes alone (98 → 27 ms).
    """
    issued: dict[datetime.date, int] = dict.fromkeys(weeks, 0)
    since = {"item_issued_on__gte": weeks[0]}
    for part in _counted_parts(viewer=viewer, scope=scope, **since):
        for day, n in (
            part.filter(issued_on__gte=weeks[0])
            .order_by()
            .values_list("issued_on")
            .annotate(n=Count("*"))
        ):
            monday = day - datetime.timedelta(days=day.weekday())
            if monday in issued:
                issued[monday] += n
    bounds = [
        timezone.make_aware(datetime.datetime.combine(week, datetime.time.min))
        for week in [*weeks, weeks[-1] + datetime.timedelta(weeks=1)]
    ]
    # One pass, each row given its week by a CASE (twelve FILTERed counts took
    # 206 ms on SQLite at 1,000,000 items).
    week_of = Case(
        *(When(closed_at__lt=bounds[i + 1], then=Value(i)) for i in range(len(weeks))),
        default=Value(-1),
        output_field=IntegerField(),
    )
    closed_since = {"item_closed_at__gte": bounds[0]}
    closed: Counter[int] = Counter()
    for part in _counted_parts(viewer=viewer, scope=scope, **closed_since):
        closed.update(
            dict(
                part.filter(closed_at__gte=bounds[0])
                .annotate(week=week_of)
                .order_by()
                .values_list("week")
                .annotate(n=Count("*"))
            )
        )
    return issued, {week: closed[i] for i, week in enumerate(weeks)}


def overview(
    *, viewer: User, rule: LightRule, scope: Scope, live: bool = False
) -> Overview:
    """Return the dashboard's figures for what the viewer may see, in the scope.

    Running items are counted live with today's light; finished ones from the
    tallies (``live=True`` counts them from the items too, as the tests compare).
    """
    items: QuerySet[Any] = counted_items(viewer=viewer, scope=scope)
    running: QuerySet[Any] = counted_items(
        viewer=viewer, scope=scope, **selectors.RUNNING_ONLY
    )
    counts = _Counts()
    _count_running(running, rule, counts)
    if live:
        _count_finished_live(items, counts)
    else:
        _count_finished(items, viewer=viewer, scope=scope, counts=counts)
    cells = +counts.cells
    result = Overview()
    by_light: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for cell, n in cells.items():
        by_light[cell[4]] += n
        states[cell[3]] += n
    result.by_light = {light.value: by_light[light.value] for light in LIGHT_ORDER}
    result.total = sum(result.by_light.values())
    result.by_state = [
        (value, str(label), states[value])
        for value, label in State.choices
        if states.get(value)
    ]
    departments = {
        pk: {"lead_department_id": pk, "lead_department__name": name}
        for pk, name in Department.objects.filter(
            pk__in={cell[0] for cell in cells}
        ).values_list("pk", "name")
    }
    result.by_department = sorted(
        _breakdown(cells, 0, departments),
        key=lambda r: (-r["red"], -r["total"], r.get("lead_department__name", "")),
    )
    leaders = {
        pk: {"leader_id": pk, "leader__name": name, "leader__username": username}
        for pk, name, username in User.objects.filter(
            pk__in={cell[1] for cell in cells}
        ).values_list("pk", "name", "username")
    }
    result.by_leader = sorted(
        _breakdown(cells, 1, leaders),
        key=lambda r: (-r["total"], r.get("leader__name", "")),
    )
    sources = dict(Source.choices)
    result.by_source = sorted(
        _breakdown(
            cells,
            2,
            {
                value: {"source": value, "label": str(label)}
                for value, label in sources.items()
            },
        ),
        key=lambda r: -r["total"],
    )
    weeks = _weeks(rule.today)
    issued, closed = _week_counts(viewer=viewer, scope=scope, weeks=weeks)
    result.weekly = [
        {"week": week, "issued": issued[week], "closed": closed[week]} for week in weeks
    ]
    feedback, feedback_on_time, completion, completion_on_time = counts.reports
    result.feedback_on_time = (feedback_on_time, feedback)
    result.completion_on_time = (completion_on_time, completion)
    result.overdue = list(
        running.filter(rule.q(Light.RED.value))
        .select_related("lead_department", "leader", "responsible")
        .order_by("next_due_on", "id")[:OVERDUE_ROWS]
    )
    for item in result.overdue:
        item.days_overdue = (rule.today - item.next_due_on).days
    return result


def chart_data(result: Overview, *, scope: Scope) -> dict[str, Any]:
    """Return what the page's script draws (JSON-safe; labels already translated)."""
    lights = {light.value: str(light.label) for light in Light}
    return {
        "lights": [
            {
                "value": result.by_light.get(light.value, 0),
                "name": lights[light.value],
                "key": light.value,
            }
            for light in LIGHT_ORDER
        ],
        "states": [
            {"name": label, "value": n, "key": key} for key, label, n in result.by_state
        ],
        "departments": [
            {
                "name": row["lead_department__name"],
                "url": "?" + scope.query(department=row["lead_department_id"]),
                **{
                    light.value: row[light.value]
                    for light in LIGHT_ORDER
                    if light != Light.NONE
                },
                "finished": row["finished"],
            }
            for row in result.by_department[:30]
        ],
        "weekly": [
            {
                "week": row["week"].isoformat(),
                "issued": row["issued"],
                "closed": row["closed"],
            }
            for row in result.weekly
        ],
        "light_names": lights,
    }
