"""The item list as an Excel workbook (督办台账), lights as the pages show them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhiban.core.exports import Sheet, local, sheets_bytes, workbook_bytes
from zhiban.supervision.analytics import Overview
from zhiban.supervision.assessment import DepartmentScore
from zhiban.supervision.lights import Light
from zhiban.supervision.models import Grade, SupervisionItem

MAX_ROWS = 50_000


def items_workbook(items: Iterable[SupervisionItem]) -> bytes:
    """Return an .xlsx of the items; each must carry the annotated `light`."""
    return workbook_bytes(
        title=_("Supervision items"),
        headers=[
            _("Number"),
            _("Title"),
            _("Light"),
            _("State"),
            _("Type"),
            _("Source"),
            _("Assigning leader"),
            _("Lead department"),
            _("Responsible person"),
            _("Issued on"),
            _("Next due"),
            _("Grade"),
            _("Times returned"),
            _("Closed at"),
        ],
        widths=[14, 40, 8, 12, 10, 16, 10, 16, 10, 12, 12, 8, 8, 18],
        rows=(
            [
                item.number,
                item.title,
                str(Light(item.light).label),  # type: ignore[attr-defined]
                str(item.get_state_display()),
                str(item.get_item_type_display()),
                str(item.get_source_display()),
                item.leader.display_name,
                item.lead_department.name,
                item.responsible.display_name if item.responsible else "",
                item.issued_on,
                item.next_due_on,
                str(item.get_grade_display()) if item.grade else "",
                item.returned_count,
                local(item.closed_at),
            ]
            for item in items
        ),
    )


def _light_row_headers(first: str) -> list[str]:
    return [
        first,
        _("Items"),
        _("Red"),
        _("Yellow"),
        _("Green"),
        pgettext("supervision state", "Closed"),
    ]


def dashboard_workbook(overview: Overview) -> bytes:
    """Return every view of the dashboard as one workbook, a sheet per view."""
    lights = {light.value: str(light.label) for light in Light}

    def light_rows(rows: list[dict[str, object]], name: str) -> list[list[object]]:
        return [
            [
                row[name],
                row["total"],
                row["red"],
                row["yellow"],
                row["green"],
                row["finished"],
            ]
            for row in rows
        ]

    return sheets_bytes(
        [
            Sheet(
                title=_("Lights"),
                headers=[_("Light"), _("Items")],
                widths=[16, 10],
                rows=[[lights[key], n] for key, n in overview.by_light.items()],
            ),
            Sheet(
                title=_("States"),
                headers=[_("State"), _("Items")],
                widths=[18, 10],
                rows=[[label, n] for _key, label, n in overview.by_state],
            ),
            Sheet(
                title=_("Departments"),
                headers=_light_row_headers(_("Lead department")),
                widths=[24, 10, 8, 8, 8, 8],
                rows=light_rows(overview.by_department, "lead_department__name"),
            ),
            Sheet(
                title=_("Leaders"),
                headers=_light_row_headers(_("Assigning leader")),
                widths=[16, 10, 8, 8, 8, 8],
                rows=light_rows(overview.by_leader, "leader__name"),
            ),
            Sheet(
                title=_("Sources"),
                headers=_light_row_headers(_("Source")),
                widths=[24, 10, 8, 8, 8, 8],
                rows=light_rows(overview.by_source, "label"),
            ),
            Sheet(
                title=_("Weekly trend"),
                headers=[
                    _("Week of"),
                    pgettext("supervision state", "Issued"),
                    pgettext("supervision state", "Closed"),
                ],
                widths=[14, 10, 10],
                rows=[
                    [row["week"], row["issued"], row["closed"]]
                    for row in overview.weekly
                ],
            ),
            Sheet(
                title=_("Overdue"),
                headers=[
                    _("Number"),
                    _("Title"),
                    _("Lead department"),
                    _("Assigning leader"),
                    _("Next due"),
                    _("Days overdue"),
                ],
                widths=[14, 40, 18, 12, 12, 10],
                rows=[
                    [
                        item.number,
                        item.title,
                        item.lead_department.name,
                        item.leader.display_name,
                        item.next_due_on,
                        item.days_overdue,
                    ]
                    for item in overview.overdue
                ],
            ),
        ]
    )


def assessment_workbook(rows: list[DepartmentScore], *, title: str) -> bytes:
    """Return the month's ranking as a workbook."""
    grades = dict(Grade.choices)
    return workbook_bytes(
        title=title,
        headers=[
            _("Rank"),
            _("Department"),
            _("Score"),
            _("Items"),
            _("Feedback on time"),
            _("Completed on time"),
            pgettext("supervision state", "Returned"),
            _("Overdue nodes"),
            *[str(grades[g]) for g in Grade.values],
        ],
        widths=[6, 22, 8, 8, 14, 14, 8, 10, 8, 8, 8, 8],
        rows=(
            [
                row.rank,
                row.name,
                float(row.score),
                row.items,
                row.feedback_percent,
                row.completion_percent,
                row.returned,
                row.overdue,
                *[row.grades.get(g, 0) for g in Grade.values],
            ]
            for row in rows
        ),
    )
