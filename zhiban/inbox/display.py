"""Turn work item rows into what a list shows, once per row, in Python.

Formatting dates, choosing badge and highlight classes and building links here,
rather than with `|date`, `{% url %}` and `{% if %}` per table cell, keeps the
busiest page of the platform fast (the template only prints strings).
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhiban.inbox import selectors
from zhiban.inbox.models import Urgency, WorkItem
from zhiban.org.work_kinds import WORK_KINDS

PAGE_SIZE = 50
DATE_FORMAT = "%Y-%m-%d %H:%M"


def count_label(count: int) -> str:
    """Return a count as the pages show it: "999+" once it reaches the cap."""
    from zhiban.inbox.selectors import COUNT_CAP

    return f"{COUNT_CAP - 1}+" if count >= COUNT_CAP else str(count)


@dataclass(frozen=True)
class PageInfo:
    """Where one page sits in a list whose length is already known."""

    number: int
    num_pages: int
    count: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def count_label(self) -> str:
        return count_label(self.count)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return self.offset + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return min(self.offset + self.per_page, self.count)


def page_info(*, count: int, number: int, per_page: int = PAGE_SIZE) -> PageInfo:
    """Return the page, clamped into range, for a count the caller already has."""
    num_pages = max(1, -(-count // per_page))
    return PageInfo(
        number=min(max(number, 1), num_pages),
        num_pages=num_pages,
        count=count,
        per_page=per_page,
    )


def format_local(value: datetime.datetime | None) -> str:
    """Return an aware time as local "YYYY-MM-DD HH:MM", or "" for none."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(DATE_FORMAT)


def kind_label(kind: str) -> str:
    """Return the translated label of a kind of work item, or its code."""
    label = WORK_KINDS.get(kind)
    return str(label) if label is not None else kind


def urgency_badges() -> dict[int, tuple[str, str]]:
    """Return (label, Bootstrap class) per urgency that gets a badge."""
    return {
        Urgency.EXTRA_URGENT: (_("Extra urgent"), "text-bg-danger"),
        Urgency.URGENT: (_("Urgent"), "text-bg-warning"),
    }


def _badge(label: str, css: str) -> SafeString:
    return format_html('<span class="badge {}">{}</span> ', css, label)


def work_item_rows(
    rows: Iterable[dict[str, Any]],
    *,
    tab: str,
    now: datetime.datetime,
    open_prefix: str,
) -> list[dict[str, Any]]:
    """Add the display fields to rows from selectors.work_item_page_for.

    Plain values (`badge`, `due`, `due_note`, `on_behalf`, `who`, ...) serve the
    API; the `*_html` ones are the same, escaped once, for the page.
    """
    soon = now + datetime.timedelta(hours=settings.REMINDER_HOURS)
    badges = urgency_badges()
    badge_html = {urgency: _badge(*badge) for urgency, badge in badges.items()}
    overdue_note, soon_note = _("Overdue"), _("Due soon")
    note_html = {
        overdue_note: format_html(
            ' <span class="badge text-bg-light border">{}</span>', overdue_note
        ),
        soon_note: format_html(
            ' <span class="badge text-bg-light border">{}</span>', soon_note
        ),
        "": "",
    }
    labels: dict[str, str] = {}
    copied_reason = _("Copied to you for information")
    zone = timezone.get_current_timezone()
    done_tab = tab == selectors.DONE
    result = []
    for row in rows:
        due = row["due_at"]
        row["due"] = due.astimezone(zone).strftime(DATE_FORMAT) if due else ""
        closed = row["closed_at"]
        row["closed"] = closed.astimezone(zone).strftime(DATE_FORMAT) if closed else ""
        row["row_class"] = row["due_note"] = ""
        if due is not None and row["state"] == WorkItem.State.OPEN and not row["is_cc"]:
            if due < now:
                row["row_class"], row["due_note"] = "table-danger", overdue_note
            elif due <= soon:
                row["row_class"], row["due_note"] = "table-warning", soon_note
        # The 已办 tab shows when it was done instead of when it was due.
        row["when"] = row["closed"] if done_tab else row["due"]
        row["when_note_html"] = "" if done_tab else note_html[row["due_note"]]
        urgency = row["urgency"]
        row["badge"] = badges[urgency][0] if urgency in badges else ""
        row["badge_html"] = badge_html.get(urgency, "")
        kind = row["kind"]
        if kind not in labels:
            labels[kind] = kind_label(kind)
        row["kind_label"] = labels[kind]
        row["who"] = row["counterpart_name"] or ""
        if row["on_behalf_of_id"]:
            name = row["on_behalf_of_name"]
            row["on_behalf"] = _("On behalf of %(name)s") % {"name": name}
            row["on_behalf_html"] = format_html(
                ' <span class="badge text-bg-info">{}</span>', row["on_behalf"]
            )
        else:
            row["on_behalf"] = row["on_behalf_html"] = ""
        if not row["reason"] and row["is_cc"]:
            row["reason"] = copied_reason
        # The initiator follows the business object itself; handlers go through
        # inbox:open, which checks who they are and marks a cc item read.
        row["href"] = (
            row["url"] if tab == selectors.INITIATED else f"{open_prefix}{row['id']}/"
        )
        row["html"] = _row_html(row)
        result.append(row)
    return result


# One table row of the to-do list. Filled with str.format after every value has been
# escaped: the busiest page renders 50 of these, and one formatted string per row costs
# a fraction of ten template variables per row (measured in bench/README.md).
_ROW = (
    '<tr class="{row_class}"><td>{badge}<a href="{href}">{title}</a>{on_behalf}'
    "{reason}</td>"
    '<td class="d-none d-md-table-cell">{kind}</td>'
    '<td class="d-none d-sm-table-cell">{who}</td>'
    '<td class="text-nowrap">{when}{when_note}</td></tr>'
)
_REASON = '<div class="small text-body-secondary">{}</div>'


def escape(value: str) -> str:
    """Escape a plain string for HTML, as django.utils.html.escape does.

    The standard library's function without Django's lazy-string wrapper, which cost
    more than the escaping itself at 400 calls a page.
    """
    return html.escape(value, quote=True)


def _row_html(row: dict[str, Any]) -> SafeString:
    reason = row["reason"]
    return mark_safe(  # noqa: S308 - every value is escaped or already safe
        _ROW.format(
            row_class=escape(row["row_class"]),
            badge=row["badge_html"],
            href=escape(row["href"]),
            title=escape(row["title"]),
            on_behalf=row["on_behalf_html"],
            reason=_REASON.format(escape(reason)) if reason else "",
            kind=escape(row["kind_label"]),
            who=escape(row["who"]),
            when=escape(row["when"]),
            when_note=row["when_note_html"],
        )
    )


def notification_rows(
    rows: Iterable[dict[str, Any]], *, open_prefix: str
) -> list[dict[str, Any]]:
    """Add the display fields to rows from selectors.notification_list_for."""
    zone = timezone.get_current_timezone()
    result = []
    for row in rows:
        row["created"] = row["created_at"].astimezone(zone).strftime(DATE_FORMAT)
        row["href"] = f"{open_prefix}{row['id']}/open/"
        row["read_href"] = f"{open_prefix}{row['id']}/read/"
        result.append(row)
    return result
