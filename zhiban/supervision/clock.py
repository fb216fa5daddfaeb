"""The item's deadlines, computed from its clock profile when it is issued.

A profile node is due ``days`` working (or calendar) days after the issue day, the
issue day itself not counting (``org.workdays``), or ``months`` calendar months after
it; on a working-day clock a date that falls on a rest day moves to the next working
day. A custom deadline replaces the completion node, and no node falls after it.
Periodic reports (weekly, monthly, quarterly) are due one cycle after the last.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zhiban.org.workdays import WorkingCalendar
from zhiban.supervision.models import DayBasis, ReportCycle, Step

# The longest a node may lie after the issue day.
MAX_DAYS = 366
MAX_MONTHS = 36


@dataclass(frozen=True)
class PlannedNode:
    """One deadline to store for an item."""

    key: str
    label: str
    step: str
    due_on: datetime.date
    sort_order: int


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` calendar months later (clamped to the month's end)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def _on_working_day(
    day: datetime.date, basis: str, calendar: WorkingCalendar
) -> datetime.date:
    if basis != DayBasis.WORKING:
        return day
    return calendar.add_working_days(day, 0)


def node_due(
    node: dict[str, Any],
    *,
    basis: str,
    start: datetime.date,
    calendar: WorkingCalendar,
) -> datetime.date:
    """Return when one profile node falls due for an item issued on `start`."""
    if node.get("months"):
        return _on_working_day(add_months(start, int(node["months"])), basis, calendar)
    days = int(node.get("days") or 0)
    if basis == DayBasis.WORKING:
        return calendar.add_working_days(start, days)
    return start + datetime.timedelta(days=days)


def plan_nodes(
    *,
    nodes: list[dict[str, Any]],
    basis: str,
    item_type: str,
    issued_on: datetime.date,
    deadline: datetime.date | None,
    calendar: WorkingCalendar,
) -> list[PlannedNode]:
    """Return the nodes of an item of this type issued on `issued_on`."""
    planned: list[PlannedNode] = []
    for order, node in enumerate(nodes):
        types = node.get("types") or []
        if types and item_type not in types:
            continue
        due = node_due(node, basis=basis, start=issued_on, calendar=calendar)
        if node["step"] == Step.COMPLETE and deadline is not None:
            due = deadline
        planned.append(
            PlannedNode(
                key=node["key"],
                label=node["label"],
                step=node["step"],
                due_on=due,
                sort_order=order,
            )
        )
    if deadline is not None:
        if not any(node.step == Step.COMPLETE for node in planned):
            planned.append(
                PlannedNode(
                    key="complete",
                    label=_("Completion"),
                    step=Step.COMPLETE,
                    due_on=deadline,
                    sort_order=len(nodes),
                )
            )
        # A short custom deadline pulls every earlier node in with it.
        planned = [
            node if node.due_on <= deadline else _replace_due(node, deadline)
            for node in planned
        ]
    return sorted(planned, key=lambda node: (node.due_on, node.sort_order))


def _replace_due(node: PlannedNode, due: datetime.date) -> PlannedNode:
    return PlannedNode(
        key=node.key,
        label=node.label,
        step=node.step,
        due_on=due,
        sort_order=node.sort_order,
    )


def next_report_due(
    cycle: str, *, after: datetime.date, basis: str, calendar: WorkingCalendar
) -> datetime.date | None:
    """Return when the next periodic report is due, one cycle after `after`."""
    if cycle == ReportCycle.WEEKLY:
        due = after + datetime.timedelta(days=7)
    elif cycle == ReportCycle.MONTHLY:
        due = add_months(after, 1)
    elif cycle == ReportCycle.QUARTERLY:
        due = add_months(after, 3)
    else:
        return None
    return _on_working_day(due, basis, calendar)


def profile_node_errors(nodes: object) -> list[str]:
    """Return what is wrong with a profile's node list (empty when it is sound)."""
    if not isinstance(nodes, list) or not nodes:
        return [_("A clock needs at least one node.")]
    errors: list[str] = []
    keys: set[str] = set()
    steps = {str(step) for step in (Step.SIGN, Step.PLAN, Step.COMPLETE)}
    for number, node in enumerate(nodes, start=1):
        if not isinstance(node, dict):
            errors.append(_("Node %(n)s is not a node.") % {"n": number})
            continue
        key = str(node.get("key") or "").strip()
        if not key or key in keys:
            errors.append(_("Node %(n)s needs a key of its own.") % {"n": number})
        keys.add(key)
        if not str(node.get("label") or "").strip():
            errors.append(_("Node %(n)s needs a name.") % {"n": number})
        if node.get("step") not in steps:
            errors.append(
                _("Node %(n)s must be signing for, the plan or completion.")
                % {"n": number}
            )
        days, months = node.get("days"), node.get("months")
        valid_days = isinstance(days, int) and 0 <= days <= MAX_DAYS
        valid_months = isinstance(months, int) and 1 <= months <= MAX_MONTHS
        if (days is None) == (months is None) or not (valid_days or valid_months):
            errors.append(
                _(
                    "Node %(n)s needs either days (0 to %(days)s) or months "
                    "(1 to %(months)s), not both."
                )
                % {"n": number, "days": MAX_DAYS, "months": MAX_MONTHS}
            )
    return errors
