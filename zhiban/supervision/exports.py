"""The item list as an Excel workbook (督办台账), lights as the pages show them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from zhiban.core.exports import local, workbook_bytes
from zhiban.supervision.lights import Light
from zhiban.supervision.models import SupervisionItem

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
