"""Printing, issuing and distribution (印制/核发/分发) and the recipients' 签收.

Issuing freezes the formal copy (正本) as a file of the document and creates, for
each recipient, its own incoming item carrying that copy and every attachment
unchanged (the same stored bytes, the same SHA-256). Each recipient row keeps its
status and times (sent, signed for, read, handled) for the sender's live table. A
recall (撤回) needs a reason; the recipient's item is then marked recalled and its
open work is cancelled, never deleted.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from io import BytesIO

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import Intake
from zhiban.documents import policies
from zhiban.documents.models import (
    INCOMING_WORK_KIND,
    RECEIPT_WORK_KIND,
    Direction,
    Distribution,
    DistributionRecipient,
    Document,
    DocumentFile,
    IncomingStep,
)
from zhiban.documents.search import document_index
from zhiban.documents.services._common import record_event
from zhiban.documents.services.handling import WORK_URGENCY, incoming_handling_start
from zhiban.documents.services.registers import _next_register_sequence, file_store
from zhiban.inbox import services as inbox
from zhiban.inbox.models import Urgency as WorkUrgency
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Department, Role, Unit, User
from zhiban.org.selectors import department_head_for

# The elements a recipient's copy carries over from the issued document.
COPIED_FIELDS = (
    "document_type",
    "urgency",
    "issuer_mark",
    "document_number",
    "signers",
    "title",
    "main_recipients",
    "body",
    "attachment_names",
    "issuer_signature",
    "written_on",
    "needs_seal",
    "notes",
    "cc_recipients",
    "printed_by",
    "printed_on",
    "page_count",
)
MAX_COPIES = 10_000


def outgoing_print(
    *,
    document: Document,
    by: User,
    copies: int,
    printed_on: datetime.date | None = None,
    printed_by: str = "",
) -> Document:
    """Record the printing of a numbered document (印制): copies, date, printer."""
    if not policies.keeps_register_of(by, document.unit_id):
        raise PermissionDeniedError(_("Only the office's clerks record the printing."))
    problems: dict[str, list[str]] = {}
    if not 1 <= copies <= MAX_COPIES:
        problems["copies"] = [
            _("Print between 1 and %(n)s copies.") % {"n": MAX_COPIES}
        ]
    day = printed_on or timezone.localdate()
    if day > timezone.localdate():
        problems["printed_on"] = [_("The date printed cannot be in the future.")]
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.state != Document.State.NUMBERED:
            raise DomainError(
                _("Only a numbered document is printed (it is %(state)s).")
                % {"state": locked.get_state_display()},
                code="print_state",
            )
        if locked.written_on and day < locked.written_on:
            problems["printed_on"] = [
                _("A document is printed on or after the date it was written.")
            ]
        if problems:
            raise DomainError(problems, code="print_invalid")
        locked.copies = copies
        locked.printed_on = day
        locked.printed_by = (
            printed_by.strip() or locked.printed_by or locked.unit.name
        )[:100]
        locked.state = Document.State.PRINTED
        locked.save(
            update_fields=["copies", "printed_on", "printed_by", "state", "updated_at"]
        )
        record_event(
            locked,
            by=by,
            kind="print",
            data={"copies": copies, "on": day.isoformat()},
        )
        audit_record(
            actor=by,
            action="documents.print",
            target=locked,
            data={"copies": copies},
        )
    return locked


def _formal_file(document: Document, by: User) -> DocumentFile:
    """Return the frozen formal copy (正本), rendering and storing it the first time."""
    from zhiban.documents.formal import formal_pdf

    existing = document.files.filter(role=DocumentFile.Role.FORMAL).first()
    if existing is not None:
        return existing
    pdf = formal_pdf(document)
    intake = Intake(
        name=f"{document.document_number or document.title}.pdf"[:200],
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        content_type="application/pdf",
    )
    return file_store(
        document,
        by=by,
        role=DocumentFile.Role.FORMAL,
        stream=BytesIO(pdf),
        intake=intake,
    )


def _signers_for(unit: Unit, department: Department | None) -> list[User]:
    """Return who signs for the document at a recipient (签收)."""
    if department is not None:
        head = department_head_for(department)
        return [head] if head is not None else []
    return list(
        User.objects.filter(is_active=True, groups__name=Role.CLERK)
        .filter(
            Q(primary_department__unit=unit) | Q(memberships__department__unit=unit)
        )
        .distinct()
        .order_by("pk")
    )


def _recipient_name(unit: Unit, department: Department | None) -> str:
    return department.name if department is not None else unit.name


def _copy_for(
    source: Document,
    *,
    unit: Unit,
    department: Department | None,
    by: User,
    files: Iterable[DocumentFile],
) -> Document:
    copy = Document(
        direction=Direction.INTERNAL if department is not None else Direction.INCOMING,
        state=Document.State.AWAITING_RECEIPT,
        unit=unit,
        department=department,
        created_by=by,
        sender=(source.issuer_signature or source.unit.name)[:100],
        copies=1,
        **{field: getattr(source, field) for field in COPIED_FIELDS},
    )
    copy.save()
    for original in files:
        DocumentFile.objects.create(
            document=copy,
            role=original.role,
            file=original.file.name,
            original_name=original.original_name,
            size=original.size,
            sha256=original.sha256,
            content_type=original.content_type,
            uploaded_by=by,
        )
    document_index(copy)
    return copy


def document_issue(
    *,
    document: Document,
    by: User,
    units: Iterable[Unit] = (),
    departments: Iterable[Department] = (),
) -> Distribution:
    """Issue a printed document to units and departments (核发); again to add more."""
    units = list(units)
    departments = list(departments)
    if not policies.keeps_register_of(by, document.unit_id):
        raise PermissionDeniedError(_("Only the office's clerks issue documents."))
    if not units and not departments:
        raise DomainError(
            {"recipients": [_("Choose at least one unit or department.")]},
            code="issue_no_recipient",
        )
    problems: list[str] = []
    for unit in units:
        if unit.pk == document.unit_id:
            problems.append(
                _("%(unit)s is the issuing unit: choose its departments instead.")
                % {"unit": unit.name}
            )
    for department in departments:
        if department.unit_id != document.unit_id:
            problems.append(
                _("%(department)s is not a department of the issuing unit.")
                % {"department": department.name}
            )
    targets: list[tuple[Unit, Department | None, list[User]]] = []
    nobody: list[str] = []
    for unit in units:
        people = _signers_for(unit, None)
        if not people:
            nobody.append(unit.name)
        targets.append((unit, None, people))
    for department in departments:
        people = _signers_for(department.unit, department)
        if not people:
            nobody.append(department.name)
        targets.append((department.unit, department, people))
    if nobody:
        problems.append(
            _("Nobody can sign for it at %(names)s (no clerk or department head).")
            % {"names": "、".join(nobody)}
        )
    if problems:
        raise DomainError({"recipients": problems}, code="issue_recipients")
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if locked.state not in (Document.State.PRINTED, Document.State.ISSUED):
                raise DomainError(
                    _(
                        "A document is issued once it is numbered and printed (it is %(state)s)."
                    )
                    % {"state": locked.get_state_display()},
                    code="issue_state",
                )
            if locked.is_classified:
                raise DomainError(
                    _("A classified document is distributed on paper only."),
                    code="classified_no_content",
                )
            already = [
                _recipient_name(unit, department)
                for unit, department, _people in targets
                if locked.recipients.exclude(
                    status=DistributionRecipient.Status.RECALLED
                )
                .filter(
                    Q(department=department)
                    if department is not None
                    else Q(unit=unit, department__isnull=True)
                )
                .exists()
            ]
            if already:
                raise DomainError(
                    {
                        "recipients": [
                            _("Already sent to %(names)s.")
                            % {"names": "、".join(already)}
                        ]
                    },
                    code="issue_duplicate",
                )
            formal = _formal_file(locked, by)
            files = [formal, *locked.files.filter(role=DocumentFile.Role.ATTACHMENT)]
            distribution = Distribution.objects.create(document=locked, created_by=by)
            urgency = WORK_URGENCY.get(locked.urgency, WorkUrgency.NORMAL)
            for unit, target_department, people in targets:
                copy = _copy_for(
                    locked, unit=unit, department=target_department, by=by, files=files
                )
                recipient = DistributionRecipient.objects.create(
                    distribution=distribution,
                    source=locked,
                    unit=unit,
                    department=target_department,
                    incoming=copy,
                )
                inbox.work_items_open(
                    assignees=people,
                    kind=RECEIPT_WORK_KIND,
                    title=_("Sign for: %(title)s") % {"title": copy.title},
                    target=recipient,
                    url=reverse("documents:detail", args=[copy.pk]),
                    reason=_recipient_name(unit, target_department),
                    initiator=by,
                    urgency=urgency,
                )
                record_event(
                    copy,
                    by=by,
                    kind="received_from",
                    data={"number": locked.document_number, "sender": copy.sender},
                )
            locked.state = Document.State.ISSUED
            locked.save(update_fields=["state", "updated_at"])
            names = [_recipient_name(u, d) for u, d, _p in targets]
            record_event(locked, by=by, kind="issue", data={"recipients": names})
            audit_record(
                actor=by,
                action="documents.issue",
                target=locked,
                data={"distribution": distribution.pk, "recipients": names},
            )
    except IntegrityError as error:  # the same recipient issued twice at once
        raise DomainError(
            {"recipients": [_("Already sent to one of these recipients.")]},
            code="issue_duplicate",
        ) from error
    return distribution


def may_sign_for(recipient: DistributionRecipient, user: User) -> bool:
    """Return whether the user may sign for the recipient's copy."""
    if WorkItem.objects.filter(
        assignee=user,
        kind=RECEIPT_WORK_KIND,
        target_id=str(recipient.pk),
        state=WorkItem.State.OPEN,
    ).exists():
        return True
    if recipient.department_id is not None:
        head = department_head_for(recipient.department)  # type: ignore[arg-type]
        return head is not None and head.pk == user.pk
    return policies.keeps_register_of(user, recipient.unit_id)


def _locked_recipient(incoming: Document) -> DistributionRecipient:
    recipient = (
        DistributionRecipient.objects.select_for_update()
        .filter(incoming_id=incoming.pk)
        .first()
    )
    if recipient is None:
        raise DomainError(
            _("This document was not distributed through Zhiban."),
            code="not_distributed",
        )
    return recipient


def receipt_sign(*, document: Document, by: User) -> DistributionRecipient:
    """Sign for a distributed document (签收); a unit's copy is then registered."""
    with transaction.atomic():
        recipient = _locked_recipient(document)
        if recipient.status == DistributionRecipient.Status.RECALLED:
            raise DomainError(
                _("The sender recalled this document: %(reason)s")
                % {"reason": recipient.recall_reason},
                code="receipt_recalled",
            )
        if recipient.status != DistributionRecipient.Status.SENT:
            raise DomainError(
                _("This document was already signed for by %(name)s.")
                % {"name": recipient.signed_by},
                code="receipt_done",
            )
        if not may_sign_for(recipient, by):
            raise PermissionDeniedError(
                _("Only the recipient's clerk or department head signs for it.")
            )
        now = timezone.now()
        recipient.status = DistributionRecipient.Status.SIGNED
        recipient.signed_at = now
        recipient.signed_by = by
        recipient.save(update_fields=["status", "signed_at", "signed_by"])
        copy = Document.objects.select_for_update().get(pk=recipient.incoming_id)
        copy.state = Document.State.REGISTERED
        copy.received_on = timezone.localdate(now)
        fields = ["state", "received_on", "updated_at"]
        if copy.direction == Direction.INCOMING:
            copy.register_year = copy.received_on.year
            copy.register_sequence = _next_register_sequence(
                copy.unit, copy.register_year
            )
            fields += ["register_year", "register_sequence"]
        copy.save(update_fields=fields)
        inbox.work_items_close_for(
            target=recipient, kind=RECEIPT_WORK_KIND, by=by, outcome="signed"
        )
        record_event(copy, by=by, kind="receipt", data={})
        record_event(
            recipient.source,
            by=by,
            kind="recipient_signed",
            data={"recipient": str(recipient)},
        )
        if copy.direction == Direction.INCOMING:
            incoming_handling_start(document=copy, by=by)
        audit_record(
            actor=by,
            action="documents.receipt_sign",
            target=copy,
            data={"recipient": recipient.pk},
        )
    return recipient


def receipt_mark_read(*, document: Document, by: User) -> bool:
    """Note the first reading at the recipient after 签收; return whether it was new."""
    recipient = DistributionRecipient.objects.filter(incoming_id=document.pk).first()
    if recipient is None or recipient.status != DistributionRecipient.Status.SIGNED:
        return False
    at_recipient = (
        by.primary_department_id == recipient.department_id
        if recipient.department_id is not None
        else policies.own_unit_id(by) == recipient.unit_id
    )
    if not at_recipient:
        return False
    return bool(
        DistributionRecipient.objects.filter(
            pk=recipient.pk, status=DistributionRecipient.Status.SIGNED
        ).update(status=DistributionRecipient.Status.READ, read_at=timezone.now())
    )


def recipient_handled(document: Document) -> None:
    """Mark the recipient row of a completed copy handled (caller's transaction)."""
    DistributionRecipient.objects.filter(
        incoming_id=document.pk,
        status__in=(
            DistributionRecipient.Status.SIGNED,
            DistributionRecipient.Status.READ,
        ),
    ).update(status=DistributionRecipient.Status.HANDLED, handled_at=timezone.now())


def receipt_complete(*, document: Document, by: User, note: str = "") -> Document:
    """A department completes its copy of an internal distribution (办结)."""
    with transaction.atomic():
        recipient = _locked_recipient(document)
        if recipient.department_id is None:
            raise DomainError(
                _("A unit's copy is completed through its incoming handling."),
                code="receipt_unit",
            )
        if recipient.status not in (
            DistributionRecipient.Status.SIGNED,
            DistributionRecipient.Status.READ,
        ):
            raise DomainError(
                _("Only a document signed for and not yet completed can be completed."),
                code="receipt_state",
            )
        head = department_head_for(recipient.department)  # type: ignore[arg-type]
        if head is None or head.pk != by.pk:
            raise PermissionDeniedError(_("The department head completes it."))
        copy = Document.objects.select_for_update().get(pk=recipient.incoming_id)
        copy.state = Document.State.CLOSED
        copy.save(update_fields=["state", "updated_at"])
        recipient_handled(copy)
        record_event(copy, by=by, kind="receipt_complete", data={}, note=note.strip())
        audit_record(actor=by, action="documents.receipt_complete", target=copy)
    return copy


def distribution_recall(
    *, recipient: DistributionRecipient, by: User, reason: str
) -> DistributionRecipient:
    """Recall the document from one recipient (撤回), with the reason it is told."""
    reason = reason.strip()
    if not reason:
        raise DomainError(
            {"reason": [_("Say why the document is recalled.")]},
            code="recall_no_reason",
        )
    if not policies.keeps_register_of(by, recipient.source.unit_id):
        raise PermissionDeniedError(_("Only the issuing office recalls a document."))
    with transaction.atomic():
        locked = (
            DistributionRecipient.objects.select_for_update()
            .select_related("source")
            .get(pk=recipient.pk)
        )
        if locked.status == DistributionRecipient.Status.RECALLED:
            raise DomainError(_("It was already recalled."), code="recall_done")
        if locked.status == DistributionRecipient.Status.HANDLED:
            raise DomainError(
                _("The recipient has completed it: it can no longer be recalled."),
                code="recall_handled",
            )
        now = timezone.now()
        locked.status = DistributionRecipient.Status.RECALLED
        locked.recalled_at = now
        locked.recalled_by = by
        locked.recall_reason = reason
        locked.save(
            update_fields=["status", "recalled_at", "recalled_by", "recall_reason"]
        )
        copy = Document.objects.select_for_update().get(pk=locked.incoming_id)
        copy.state = Document.State.RECALLED
        copy.save(update_fields=["state", "updated_at"])
        inbox.work_items_close_for(
            target=locked,
            kind=RECEIPT_WORK_KIND,
            by=by,
            outcome="recalled",
            state=WorkItem.State.CANCELLED,
        )
        for step in copy.incoming_steps.filter(state=IncomingStep.State.OPEN):
            inbox.work_items_close_for(
                target=step,
                kind=INCOMING_WORK_KIND,
                by=by,
                outcome="recalled",
                state=WorkItem.State.CANCELLED,
            )
        copy.incoming_steps.filter(state=IncomingStep.State.OPEN).update(
            state=IncomingStep.State.CANCELLED
        )
        record_event(copy, by=by, kind="recalled", data={}, note=reason)
        record_event(
            locked.source,
            by=by,
            kind="recall",
            data={"recipient": str(locked)},
            note=reason,
        )
        audit_record(
            actor=by,
            action="documents.recall",
            target=locked.source,
            data={"recipient": locked.pk, "reason": reason},
        )
    return locked
