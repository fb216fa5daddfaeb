"""Live analytics of supervision (实时分析): every figure is counted by the database.

Each function takes the viewer (what they may see, ``selectors.visible_items``), today's
``LightRule`` (so that a chart's red is the list's red) and a ``Scope`` (the drill-down:
the whole group, one department, one leader, one source, a period of issue). Groups
come back from ``values().annotate()``; Python only arranges the few rows that result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from zhiban.org.models import User
from zhiban.supervision.lights import LIGHT_ORDER, Light, LightRule
from zhiban.supervision.models import Report, Source, SupervisionItem
from zhiban.supervision.selectors import visible_items

State = SupervisionItem.State
# Drafts, items under review and cancelled items are not the office's workload.
COUNTED_OUT = (State.DRAFT, State.REVIEW, State.CANCELLED)
FINISHED = (State.CLOSED, State.ARCHIVED)
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


def counted_items(*, viewer: User, scope: Scope) -> QuerySet[SupervisionItem]:
    """Return the issued items the viewer may see, narrowed to the scope."""
    items = visible_items(viewer=viewer).exclude(state__in=COUNTED_OUT)
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


def _light_counts() -> dict[str, Any]:
    return {
        "total": Count("id"),
        **{
            light.value: Count("id", filter=Q(light=light.value))
            for light in LIGHT_ORDER
            if light != Light.NONE
        },
        "finished": Count("id", filter=Q(state__in=FINISHED)),
    }


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


def _week_counts(
    items: QuerySet[Any], field_name: str, start: datetime.date
) -> dict[datetime.date, int]:
    rows = (
        items.filter(**{f"{field_name}__gte": start})
        .annotate(week=TruncWeek(field_name))
        .order_by()
        .values("week")
        .annotate(n=Count("id"))
    )
    counts: dict[datetime.date, int] = {}
    for row in rows:
        week = row["week"]
        day = week.date() if isinstance(week, datetime.datetime) else week
        counts[day] = counts.get(day, 0) + row["n"]
    return counts


def overview(*, viewer: User, rule: LightRule, scope: Scope) -> Overview:
    """Return the dashboard's figures for what the viewer may see, in the scope."""
    items: QuerySet[Any] = counted_items(viewer=viewer, scope=scope).annotate(
        light=rule.expression()
    )
    result = Overview()
    by_light = dict(
        items.order_by()
        .values_list("light")
        .annotate(n=Count("id"))
        .values_list("light", "n")
    )
    result.by_light = {
        light.value: by_light.get(light.value, 0) for light in LIGHT_ORDER
    }
    result.total = sum(result.by_light.values())
    states = dict(
        items.order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    result.by_state = [
        (value, str(label), states[value])
        for value, label in State.choices
        if states.get(value)
    ]
    counts = _light_counts()
    result.by_department = list(
        items.order_by()
        .values("lead_department_id", "lead_department__name")
        .annotate(**counts)
        .order_by("-red", "-total", "lead_department__name")
    )
    result.by_leader = list(
        items.order_by()
        .values("leader_id", "leader__name", "leader__username")
        .annotate(**counts)
        .order_by("-total", "leader__name")
    )
    sources = dict(Source.choices)
    result.by_source = [
        {**row, "label": str(sources.get(row["source"], row["source"]))}
        for row in items.order_by()
        .values("source")
        .annotate(**counts)
        .order_by("-total")
    ]
    weeks = _weeks(rule.today)
    issued = _week_counts(items, "issued_on", weeks[0])
    since = timezone.make_aware(datetime.datetime.combine(weeks[0], datetime.time.min))
    closed = _week_counts(items, "closed_at", since)
    result.weekly = [
        {"week": week, "issued": issued.get(week, 0), "closed": closed.get(week, 0)}
        for week in weeks
    ]
    reports = Report.objects.filter(item__in=counted_items(viewer=viewer, scope=scope))
    feedback = reports.filter(
        kind__in=(Report.Kind.SIGN, Report.Kind.PLAN, Report.Kind.PROGRESS),
        node__isnull=False,
    ).aggregate(total=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
    completion = reports.filter(kind=Report.Kind.COMPLETION).aggregate(
        total=Count("id"), on_time=Count("id", filter=Q(on_time=True))
    )
    result.feedback_on_time = (feedback["on_time"], feedback["total"])
    result.completion_on_time = (completion["on_time"], completion["total"])
    result.overdue = list(
        items.filter(light=Light.RED.value)
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
