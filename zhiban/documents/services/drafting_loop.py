"""The drafting loop (文稿撰写闭环): discussion, review, meeting, follow-up after issue.

Anyone who may see an outgoing document may add a discussion note, a review comment
on one of its versions or the meeting where it was presented. A follow-up on the
document's effect is set by the drafter or the office once it is issued: it names a
person and a due date and opens their work item, which closes when they record the
result; the inbox's reminder sweep reminds them as the date comes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import policies
from zhiban.documents.models import (
    FOLLOW_UP_WORK_KIND,
    Direction,
    Document,
    DraftNote,
    DraftVersion,
)
from zhiban.documents.services._common import record_event
from zhiban.inbox import services as inbox
from zhiban.org.models import User

MAX_TEXT = 4000


def _due(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))


def draft_note_add(
    *,
    document: Document,
    by: User,
    kind: str,
    text: str,
    version: DraftVersion | None = None,
    held_on: datetime.date | None = None,
    participants: str = "",
    assignee: User | None = None,
    due_on: datetime.date | None = None,
) -> DraftNote:
    """Add one note of the drafting loop; a follow-up opens the person's work item."""
    document = Document.objects.get(pk=document.pk)  # its state as it is now
    text = text.strip()
    problems: dict[str, list[str]] = {}
    if kind not in DraftNote.Kind.values:
        problems["kind"] = [_("Choose what the note is.")]
    if not text:
        problems["text"] = [_("Write what was said or decided.")]
    elif len(text) > MAX_TEXT:
        problems["text"] = [_("Keep it within %(n)s characters.") % {"n": MAX_TEXT}]
    if document.direction != Direction.OUTGOING or document.is_classified:
        raise DomainError(
            _("The drafting loop belongs to an outgoing document kept in Zhiban."),
            code="not_a_draft",
        )
    if version is not None and version.document_id != document.pk:
        problems["version"] = [_("Choose a version of this document.")]
    if kind == DraftNote.Kind.REVIEW and version is None:
        problems["version"] = [_("Say which version was reviewed.")]
    if kind in (DraftNote.Kind.DISCUSSION, DraftNote.Kind.MEETING) and held_on is None:
        problems["held_on"] = [_("Give the date it was held.")]
    if held_on is not None and held_on > timezone.localdate():
        problems["held_on"] = [_("The date held cannot be in the future.")]
    if kind == DraftNote.Kind.FOLLOW_UP:
        if document.state != Document.State.ISSUED:
            problems["kind"] = [_("A follow-up is set once the document is issued.")]
        if assignee is None:
            problems["assignee"] = [_("Choose who follows up.")]
        elif not assignee.is_active:
            problems["assignee"] = [
                _("%(name)s no longer works here.") % {"name": assignee}
            ]
        if due_on is None:
            problems["due_on"] = [_("Give the date the result is due.")]
        elif due_on < timezone.localdate():
            problems["due_on"] = [_("The due date cannot be in the past.")]
        may_set = document.created_by_id == by.pk or policies.can_keep_register(by)
        if not may_set:
            raise PermissionDeniedError(
                _("The drafter or the office sets a follow-up.")
            )
    if problems:
        raise DomainError(problems, code="note_invalid")
    with transaction.atomic():
        note = DraftNote.objects.create(
            document=document,
            kind=kind,
            version=version,
            held_on=held_on,
            participants=participants.strip()[:500],
            text=text,
            assignee=assignee if kind == DraftNote.Kind.FOLLOW_UP else None,
            due_on=due_on if kind == DraftNote.Kind.FOLLOW_UP else None,
            created_by=by,
        )
        if kind == DraftNote.Kind.FOLLOW_UP and assignee is not None and due_on:
            inbox.work_item_open(
                assignee=assignee,
                kind=FOLLOW_UP_WORK_KIND,
                title=_("Follow up: %(title)s") % {"title": document.title},
                target=note,
                url=reverse("documents:detail", args=[document.pk]),
                reason=_("Effect follow-up"),
                initiator=by,
                due_at=_due(due_on),
            )
        record_event(document, by=by, kind="draft_note", data={"kind": kind})
        audit_record(
            actor=by,
            action="documents.draft_note",
            target=document,
            data={"note": note.pk, "kind": kind},
        )
    return note


def follow_up_done(*, note: DraftNote, by: User, result: str) -> DraftNote:
    """Record the result of a follow-up; closes the person's work item once."""
    result = result.strip()
    if not result:
        raise DomainError({"result": [_("Say what the result was.")]}, code="no_result")
    with transaction.atomic():
        locked = DraftNote.objects.select_for_update().get(pk=note.pk)
        if locked.kind != DraftNote.Kind.FOLLOW_UP:
            raise DomainError(_("Only a follow-up has a result."), code="not_follow_up")
        if locked.done_at is not None:
            raise DomainError(
                _("The result was already recorded."), code="follow_up_done"
            )
        holds = inbox_item_for(locked, by)
        if locked.assignee_id != by.pk and not holds:
            raise PermissionDeniedError(_("Only the person following up records it."))
        locked.result = result[:MAX_TEXT]
        locked.done_at = timezone.now()
        locked.save(update_fields=["result", "done_at"])
        inbox.work_items_close_for(
            target=locked, kind=FOLLOW_UP_WORK_KIND, by=by, outcome="done"
        )
        record_event(
            locked.document, by=by, kind="follow_up_done", data={}, note=result
        )
        audit_record(
            actor=by,
            action="documents.follow_up_done",
            target=locked.document,
            data={"note": locked.pk},
        )
    return locked


def inbox_item_for(note: DraftNote, user: Any) -> bool:
    """Return whether the user holds the note's open work item (a delegate too)."""
    from zhiban.inbox.models import WorkItem

    return WorkItem.objects.filter(
        assignee=user,
        kind=FOLLOW_UP_WORK_KIND,
        target_id=str(note.pk),
        state=WorkItem.State.OPEN,
    ).exists()
