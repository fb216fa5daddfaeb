"""The minutes (纪要) of a meeting and its decisions, each one step from supervision.

A decision becomes a supervision item through ``supervision.services.item_create``
with the decision as the item's source (``Source.MEETING``); the decision lists
the items made from it (``supervision.selectors.items_from_source``) and the item
links back to the meeting (the source link registered in ``MeetingsConfig.ready``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import policies
from zhiban.meetings.models import Decision, Meeting, Minutes
from zhiban.org.models import Department, User

TEXT_MAX = 20000


@dataclass(frozen=True)
class DecisionData:
    """One decision as written in the minutes."""

    text: str
    lead_department: Department | None = None
    deadline: datetime.date | None = None


def minutes_save(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    decisions: Sequence[DecisionData] = (),
) -> Minutes:
    """Write or rewrite the minutes; new decisions are added after the kept ones.

    A decision already turned into a supervision item is never removed here.
    """
    text = (text or "").strip()
    if not text:
        raise DomainError({"text": [_("Write the minutes.")]}, code="required")
    if len(text) > TEXT_MAX:
        raise DomainError(
            {"text": [_("Keep it under %(limit)s characters.") % {"limit": TEXT_MAX}]},
            code="too_long",
        )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not policies.can_write_minutes(by, locked):
            raise PermissionDeniedError(
                _("Only the organiser or the office writes the minutes.")
            )
        if locked.state != Meeting.State.PUBLISHED:
            raise DomainError(
                _("Minutes are written for a meeting whose notice was published."),
                code="not_published",
            )
        minutes, created = Minutes.objects.get_or_create(
            meeting=locked, defaults={"text": text, "written_by": by}
        )
        if not created:
            minutes.text = text
            minutes.written_by = by
            minutes.save(update_fields=["text", "written_by", "updated_at"])
        start = minutes.decisions.count()
        Decision.objects.bulk_create(
            Decision(
                minutes=minutes,
                position=start + index,
                text=data.text.strip(),
                lead_department=data.lead_department,
                deadline=data.deadline,
            )
            for index, data in enumerate(decisions)
            if data.text.strip()
        )
        audit_record(
            actor=by,
            action="meetings.minutes_save",
            target=locked,
            data={"decisions": len(decisions), "created": created},
        )
    return minutes


def decision_items(decision: Decision) -> Any:
    """Return the supervision items made from the decision (not cancelled)."""
    from zhiban.supervision.models import SupervisionItem
    from zhiban.supervision.selectors import items_from_source

    return items_from_source(source=decision).exclude(
        state=SupervisionItem.State.CANCELLED
    )


def decision_to_item(
    *,
    decision: Decision,
    by: User,
    leader: User,
    officer: User,
    lead_department: Department | None = None,
    deadline: datetime.date | None = None,
    profile: Any = None,
    title: str = "",
) -> Any:
    """Turn a decision into a supervision item (a draft) in one step, linked both ways."""
    from zhiban.supervision.models import ClockProfile, Source
    from zhiban.supervision.services import item_create

    with transaction.atomic():
        locked = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("minutes__meeting", "lead_department")
            .get(pk=decision.pk)
        )
        if decision_items(locked).exists():
            raise DomainError(
                _("This decision is already a supervision item."), code="already_item"
            )
        department = lead_department or locked.lead_department
        if department is None:
            raise DomainError(
                {"lead_department": [_("Choose the lead department.")]},
                code="no_department",
            )
        clock = (
            profile
            or ClockProfile.objects.filter(is_active=True)
            .order_by("sort_order", "id")
            .first()
        )
        if clock is None:
            raise DomainError(
                {"profile": [_("No clock is in use for supervision items.")]},
                code="profile",
            )
        meeting = locked.minutes.meeting
        item = item_create(
            by=by,
            title=(
                title
                or _("Carry out the decision of “%(title)s”: %(text)s")
                % {"title": meeting.title, "text": locked.text}
            )[:200],
            content=locked.text,
            lead_department=department,
            leader=leader,
            officer=officer,
            profile=clock,
            deadline=deadline or locked.deadline,
            source=Source.MEETING,
            source_object=locked,
            source_text=_("Decision of “%(title)s” (%(day)s): %(text)s")
            % {
                "title": meeting.title,
                "day": meeting.starts_at.date().isoformat(),
                "text": locked.text,
            },
        )
        audit_record(
            actor=by,
            action="meetings.decision_to_item",
            target=meeting,
            data={"decision": locked.pk, "item": item.pk},
        )
    return item


def minutes_to_document(*, minutes: Minutes, by: User) -> Any:
    """Draft the minutes as a 纪要 in the documents module, once, linked both ways.

    The draft (type 纪要, the meeting's title with "纪要", the minutes and their
    decisions as the body) then goes the outgoing way: approval, numbering,
    distribution. Sending again refuses and names the draft already made.
    """
    from zhiban.documents.services.drafting import draft_create

    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        meeting = locked.meeting
        if not policies.can_write_minutes(by, meeting):
            raise PermissionDeniedError(
                _("Only the organiser or the office sends the minutes to documents.")
            )
        if locked.document_id is not None:
            raise DomainError(
                _("These minutes were already drafted as a document: %(title)s.")
                % {"title": locked.document.title},  # type: ignore[union-attr]
                code="already_sent",
            )
        title = (
            meeting.title if meeting.title.endswith("纪要") else f"{meeting.title}纪要"
        )
        decisions = [d.text for d in locked.decisions.order_by("position", "pk")]
        body = locked.text
        if decisions:
            body += (
                "\n\n"
                + _("Decisions:")
                + "\n"
                + "\n".join(
                    f"{index}. {text}" for index, text in enumerate(decisions, start=1)
                )
            )
        document = draft_create(by=by, document_type="minutes", title=title, body=body)
        locked.document = document
        locked.save(update_fields=["document", "updated_at"])
        audit_record(
            actor=by,
            action="meetings.minutes_to_document",
            target=meeting,
            data={"document": document.pk},
        )
    return document
