"""Department responsibility assessment (督查责任考核): one score per department and month.

For the items a department leads, in one calendar month:

- feedback on time: of the sign-for, plan, milestone and periodic-report nodes due in the
  month (done, or past their date), the share done by their due date (a node not done
  and past its date counts as late; one due later in the month does not count yet);
- completion on time: the same for the completion nodes due in the month;
- returned: completion requests the officer returned in the month;
- overdue: nodes due in the month done late, or not done and past due;
- grades: the items closed in the month, by grade.

score = feedback rate × feedback weight + completion rate × completion weight
        + grade quality × quality weight - returned × return penalty - overdue × overdue penalty
(never below 0; a rate with nothing due counts as full marks). The weights are an
``AssessmentRule`` the office edits. Every count is one grouped query; the monthly
performance scores of a later issue read ``department_scores``.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q

from zhiban.org.models import Department
from zhiban.supervision.models import (
    COUNTED_OUT_STATES,
    AssessmentRule,
    Grade,
    ItemEvent,
    ItemNode,
    Step,
    SupervisionItem,
)

State = SupervisionItem.State
FEEDBACK_STEPS = (Step.SIGN, Step.PLAN, Step.MILESTONE, Step.REPORT)


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


@dataclass
class DepartmentScore:
    """One department's month."""

    department_id: int
    name: str
    items: int = 0
    feedback_due: int = 0
    feedback_on_time: int = 0
    completion_due: int = 0
    completion_on_time: int = 0
    returned: int = 0
    overdue: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    score: Decimal = Decimal(0)
    rank: int = 0

    @staticmethod
    def _rate(on_time: int, due: int) -> Decimal | None:
        return None if due == 0 else Decimal(on_time) / Decimal(due)

    @property
    def feedback_rate(self) -> Decimal | None:
        return self._rate(self.feedback_on_time, self.feedback_due)

    @property
    def completion_rate(self) -> Decimal | None:
        return self._rate(self.completion_on_time, self.completion_due)

    def percent(self, rate: Decimal | None) -> str:
        return "—" if rate is None else f"{rate * 100:.1f}%"

    @property
    def feedback_percent(self) -> str:
        return self.percent(self.feedback_rate)

    @property
    def completion_percent(self) -> str:
        return self.percent(self.completion_rate)


def _quality(grades: dict[str, int], points: dict[str, Any]) -> Decimal | None:
    closed = sum(grades.values())
    if closed == 0:
        return None
    total = sum(Decimal(str(points.get(grade, 0))) * n for grade, n in grades.items())
    return total / Decimal(100) / closed


def score_of(row: DepartmentScore, rule: AssessmentRule) -> Decimal:
    """Return the department's score under the rule (see the module)."""
    one = Decimal(1)
    feedback = row.feedback_rate if row.feedback_rate is not None else one
    completion = row.completion_rate if row.completion_rate is not None else one
    quality = _quality(row.grades, rule.grade_points)
    score = (
        feedback * rule.feedback_weight
        + completion * rule.completion_weight
        + (quality if quality is not None else one) * rule.quality_weight
        - row.returned * rule.return_penalty
        - row.overdue * rule.overdue_penalty
    )
    return max(Decimal(0), score).quantize(Decimal("0.1"))


def department_scores(
    *, year: int, month: int, today: datetime.date, unit_id: int | None = None
) -> list[DepartmentScore]:
    """Return every department with items in the month, scored and ranked."""
    start, end = month_bounds(year, month)
    rule = AssessmentRule.current()
    items = SupervisionItem.objects.exclude(state__in=COUNTED_OUT_STATES)
    if unit_id is not None:
        items = items.filter(unit_id=unit_id)
    rows: dict[int, DepartmentScore] = {}

    def row(department_id: int) -> DepartmentScore:
        if department_id not in rows:
            rows[department_id] = DepartmentScore(department_id=department_id, name="")
        return rows[department_id]

    live = (
        items.filter(issued_on__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=start))
        .order_by()
        .values("lead_department_id")
        .annotate(n=Count("id"))
    )
    for live_row in live:
        row(live_row["lead_department_id"]).items = live_row["n"]
    on_time = Q(done_at__isnull=False, done_at__date__lte=F("due_on"))
    late = Q(done_at__isnull=False, done_at__date__gt=F("due_on")) | Q(
        done_at__isnull=True, due_on__lt=min(today, end + datetime.timedelta(days=1))
    )
    nodes = (
        # Nodes due in the month that are done, or whose date has passed: a node
        # due later this month and not done yet counts neither way.
        ItemNode.objects.filter(item__in=items, due_on__range=(start, end))
        .filter(Q(done_at__isnull=False) | Q(due_on__lt=today))
        .order_by()
        .values("item__lead_department_id")
        .annotate(
            feedback_due=Count("id", filter=Q(step__in=FEEDBACK_STEPS)),
            feedback_on_time=Count("id", filter=Q(step__in=FEEDBACK_STEPS) & on_time),
            completion_due=Count("id", filter=Q(step=Step.COMPLETE)),
            completion_on_time=Count("id", filter=Q(step=Step.COMPLETE) & on_time),
            overdue=Count("id", filter=late),
        )
    )
    for node_row in nodes:
        target = row(node_row["item__lead_department_id"])
        for key in (
            "feedback_due",
            "feedback_on_time",
            "completion_due",
            "completion_on_time",
            "overdue",
        ):
            setattr(target, key, node_row[key])
    returned = (
        ItemEvent.objects.filter(
            item__in=items, kind="return", at__date__range=(start, end)
        )
        .order_by()
        .values("item__lead_department_id")
        .annotate(n=Count("id"))
    )
    for returned_row in returned:
        row(returned_row["item__lead_department_id"]).returned = returned_row["n"]
    graded = (
        items.filter(closed_at__date__range=(start, end))
        .exclude(grade="")
        .order_by()
        .values("lead_department_id", "grade")
        .annotate(n=Count("id"))
    )
    for graded_row in graded:
        row(graded_row["lead_department_id"]).grades[graded_row["grade"]] = graded_row[
            "n"
        ]
    names = dict(Department.objects.filter(pk__in=rows).values_list("id", "name"))
    for department_id, entry in rows.items():
        entry.name = names.get(department_id, "")
        entry.grades = {g: entry.grades.get(g, 0) for g in Grade.values}
        entry.score = score_of(entry, rule)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, r.name))
    for index, entry in enumerate(ranked, start=1):
        entry.rank = index
    return ranked
