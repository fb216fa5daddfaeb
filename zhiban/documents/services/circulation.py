"""Circulation (传阅): start a round, read, give the one opinion, close.

Every write that touches a round locks the round's row first (PostgreSQL; SQLite's
IMMEDIATE transaction serialises writers anyway), so two clicks of the same reader
record one opinion, and an opinion racing the close either lands before it or is
refused after it: never lost, never doubled, never written after the close.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import policies
from zhiban.documents.models import (
    CIRCULATION_WORK_KIND,
    Circulation,
    CirculationReader,
    Document,
)
from zhiban.documents.selectors import circulation_reader_for
from zhiban.documents.services._common import record_event
from zhiban.inbox import services as inbox
from zhiban.inbox.models import Urgency as WorkUrgency
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User

# The opinion a reader gives by circling (圈阅视为同意, 条例 Art. 22).
MAX_OPINION_LENGTH = 2000
WORK_URGENCY = {"特急": WorkUrgency.EXTRA_URGENT, "加急": WorkUrgency.URGENT}


def circulation_start(
    *,
    document: Document,
    by: User,
    readers: Sequence[User],
    note: str = "",
) -> Circulation:
    """Send a document round its readers at once; each gets a work item."""
    if not policies.can_keep_register(by):
        raise PermissionDeniedError(_("Only the office's clerks start a circulation."))
    if document.is_classified:
        raise DomainError(
            _(
                "A classified document circulates on paper: record each handover of "
                "the paper copy instead."
            ),
            code="classified_no_content",
        )
    unique = list({reader.pk: reader for reader in readers}.values())
    if not unique:
        raise DomainError(
            {"readers": _("Choose at least one reader.")}, code="no_readers"
        )
    inactive = [reader.display_name for reader in unique if not reader.is_active]
    if inactive:
        raise DomainError(
            {
                "readers": _("These people have left and cannot read: %(names)s.")
                % {"names": "、".join(inactive)}
            },
            code="inactive_readers",
        )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.circulations.filter(state=Circulation.State.OPEN).exists():
            raise DomainError(
                _("The document is already circulating; close that round first."),
                code="circulation_open",
            )
        circulation = Circulation.objects.create(
            document=locked, started_by=by, note=note.strip()[:300]
        )
        CirculationReader.objects.bulk_create(
            CirculationReader(circulation=circulation, reader=reader, position=index)
            for index, reader in enumerate(unique)
        )
        inbox.work_items_open(
            assignees=unique,
            kind=CIRCULATION_WORK_KIND,
            title=_("Read: %(title)s") % {"title": locked.title},
            target=circulation,
            url=reverse("documents:detail", args=[locked.pk]),
            reason=circulation.note or _("Circulated to you for reading"),
            initiator=by,
            urgency=WORK_URGENCY.get(locked.urgency, WorkUrgency.NORMAL),
        )
        record_event(
            locked,
            by=by,
            kind="circulation_start",
            data={"readers": [reader.display_name for reader in unique]},
            note=circulation.note,
        )
        audit_record(
            actor=by,
            action="documents.circulation_start",
            target=locked,
            data={"circulation": circulation.pk, "readers": [r.pk for r in unique]},
        )
    return circulation


def circulation_mark_read(*, circulation: Circulation, by: User) -> bool:
    """Record that a reader opened the document; return whether it changed."""
    row = circulation_reader_for(circulation=circulation, user=by)
    if row is None or row.status != CirculationReader.Status.PENDING:
        return False
    changed = CirculationReader.objects.filter(
        pk=row.pk, status=CirculationReader.Status.PENDING
    ).update(status=CirculationReader.Status.READ, read_at=timezone.now())
    return bool(changed)


def circulation_opinion(
    *, circulation: Circulation, by: User, opinion: str
) -> CirculationReader:
    """Record a reader's one opinion; an empty one means read and agreed (圈阅)."""
    opinion = opinion.strip()
    if len(opinion) > MAX_OPINION_LENGTH:
        raise DomainError(
            {
                "opinion": _("Keep the opinion within %(n)s characters.")
                % {"n": MAX_OPINION_LENGTH}
            },
            code="opinion_too_long",
        )
    with transaction.atomic():
        locked = (
            Circulation.objects.select_for_update()
            .select_related("document")
            .get(pk=circulation.pk)
        )
        row = circulation_reader_for(circulation=locked, user=by)
        if row is None:
            raise PermissionDeniedError(_("You are not a reader of this circulation."))
        if not locked.is_open:
            raise DomainError(
                _("The circulation is closed: no opinion can be written any more."),
                code="circulation_closed",
            )
        row.refresh_from_db()
        if row.status == CirculationReader.Status.DONE:
            raise DomainError(
                _("%(reader)s has already given an opinion in this round.")
                % {"reader": row.reader.display_name},
                code="opinion_given",
            )
        now = timezone.now()
        row.status = CirculationReader.Status.DONE
        row.opinion = opinion
        row.opinion_at = now
        row.read_at = row.read_at or now
        row.acted_by = by
        row.save(
            update_fields=["status", "opinion", "opinion_at", "read_at", "acted_by"]
        )
        inbox.work_items_close_for(
            target=locked,
            kind=CIRCULATION_WORK_KIND,
            assignees=[row.reader],
            by=by,
            outcome="read",
        )
        record_event(
            locked.document,
            by=by,
            kind="circulation_opinion",
            data={"reader": row.reader.display_name},
            note=opinion,
        )
        pending = locked.readers.exclude(status=CirculationReader.Status.DONE).exists()
        if not pending:
            _close(locked, by=None)
            record_event(locked.document, by=by, kind="circulation_complete")
        audit_record(
            actor=by,
            action="documents.circulation_opinion",
            target=locked.document,
            data={"circulation": locked.pk, "reader": row.reader_id},
        )
    return row


def _close(circulation: Circulation, *, by: User | None) -> None:
    circulation.state = Circulation.State.CLOSED
    circulation.closed_at = timezone.now()
    circulation.closed_by = by
    circulation.save(update_fields=["state", "closed_at", "closed_by"])
    inbox.work_items_close_for(
        target=circulation,
        kind=CIRCULATION_WORK_KIND,
        by=by,
        outcome="circulation closed",
        state=WorkItem.State.CANCELLED,
    )


def circulation_close(*, circulation: Circulation, by: User) -> Circulation:
    """Close a round before everyone has read; the others' work items go away."""
    if not policies.can_keep_register(by):
        raise PermissionDeniedError(_("Only the office's clerks close a circulation."))
    with transaction.atomic():
        locked = (
            Circulation.objects.select_for_update()
            .select_related("document")
            .get(pk=circulation.pk)
        )
        if not locked.is_open:
            raise DomainError(
                _("The circulation is already closed."), code="circulation_closed"
            )
        _close(locked, by=by)
        unread = locked.readers.exclude(status=CirculationReader.Status.DONE).count()
        record_event(
            locked.document,
            by=by,
            kind="circulation_close",
            data={"without_opinion": unread},
        )
        audit_record(
            actor=by,
            action="documents.circulation_close",
            target=locked.document,
            data={"circulation": locked.pk, "without_opinion": unread},
        )
    return locked
