"""Drafting an outgoing document (拟稿) and its approval on the engine (送审/签发).

A draft belongs to its drafter until it is submitted; while the outgoing flow runs,
whoever holds the turn may save a revised version (修改稿), and each version keeps
its author and time. The flow's outcome comes back through ``approval_outcome``
(registered for the flow kind "document"): approved means signed off (签发), with
the leader's name, opinion and date on the document; rejected or withdrawn means
back to drafting.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import inspect_upload
from zhiban.documents import elements
from zhiban.documents.drafting_docx import docx_text
from zhiban.documents.models import (
    OUTGOING_FLOW_CODE,
    Direction,
    Document,
    DocumentApproval,
    DocumentFile,
    DocumentType,
    DraftTemplate,
    DraftVersion,
    Urgency,
)
from zhiban.documents.search import document_index
from zhiban.documents.services._common import record_event
from zhiban.documents.services.registers import _check_document, file_store
from zhiban.org.models import Department, User
from zhiban.org.selectors import department_head_for
from zhiban.workflow.models import FlowAction, FlowInstance, FlowTask

DOCX_TYPES: dict[str, tuple[str, ...]] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "docx",
    ),
    # An encrypted .docx or an old .doc is an OLE file, a damaged one no known
    # kind: the reader then says which, more precisely than "not allowed".
    "application/x-ole-storage": ("docx",),
    "application/msword": ("doc",),
    "application/zip": ("docx",),
    "application/octet-stream": ("docx",),
}
MAX_BODY = 100_000


def _check_text(
    *, document_type: str, title: str, body: str, main_recipients: str = ""
) -> tuple[str, str]:
    problems: dict[str, list[str]] = {}
    title = title.strip()
    body = body.strip()
    if document_type not in DocumentType.values:
        problems["document_type"] = [_("Choose the document type.")]
    else:
        try:
            elements.validate_title(title, document_type)
        except ValidationError as error:
            problems["title"] = list(error.messages)
        if main_recipients.strip():
            try:
                elements.validate_main_recipients(main_recipients, document_type)
            except ValidationError as error:
                problems["main_recipients"] = list(error.messages)
    if len(body) > MAX_BODY:
        problems["body"] = [
            _("Keep the text within %(n)s characters.") % {"n": MAX_BODY}
        ]
    if problems:
        raise DomainError(problems, code="draft_invalid")
    return title, body


def _on_field(field: str, error: DomainError) -> DomainError:
    """Return the refusal as an error of one form field, keeping its code."""
    return DomainError({field: list(error.messages)}, code=getattr(error, "code", None))


def _read_docx(stream: IO[bytes], name: str) -> tuple[str, Any]:
    """Return the text of an uploaded Word file and its intake; nothing stored."""
    try:
        intake = inspect_upload(stream, name=name, allowed=DOCX_TYPES)
        text = docx_text(stream, name=intake.name)
    except DomainError as error:
        raise _on_field("docx", error) from error
    stream.seek(0)
    return text, intake


def draft_create(
    *,
    by: User,
    document_type: str,
    title: str,
    body: str = "",
    main_recipients: str = "",
    urgency: str = "",
    template: DraftTemplate | None = None,
    docx: IO[bytes] | None = None,
    docx_name: str = "",
) -> Document:
    """Start a draft in the drafter's department: typed, from a template or a .docx."""
    department = by.primary_department
    if department is None:
        raise PermissionDeniedError(
            _("You belong to no department: ask the administrator to place you.")
        )
    source = DraftVersion.Source.TYPED
    intake = None
    if docx is not None:
        body, intake = _read_docx(docx, docx_name)
        source = DraftVersion.Source.DOCX
    elif template is not None:
        if not body.strip():
            body = template.body
        if not main_recipients.strip():
            main_recipients = template.main_recipients
        source = DraftVersion.Source.TEMPLATE
    title, body = _check_text(
        document_type=document_type,
        title=title,
        body=body,
        main_recipients=main_recipients,
    )
    if urgency and urgency not in Urgency.values:
        raise DomainError({"urgency": [_("Choose the urgency.")]}, code="draft_invalid")
    with transaction.atomic():
        document = Document(
            direction=Direction.OUTGOING,
            state=Document.State.DRAFTING,
            document_type=document_type,
            unit_id=department.unit_id,
            department=department,
            created_by=by,
            title=title,
            body=body,
            main_recipients=main_recipients.strip(),
            urgency=urgency,
            # The unit's own mark and signature, which the office may change.
            issuer_mark=f"{department.unit.name}文件"[:100],
            issuer_signature=department.unit.name[:100],
        )
        # The register's own element checks: a refusal by field, never a bare
        # ValidationError from full_clean() (a 500 on the page).
        _check_document(document)
        document.save()
        stored = (
            file_store(
                document, by=by, role=DocumentFile.Role.BODY, stream=docx, intake=intake
            )
            if docx is not None and intake is not None
            else None
        )
        DraftVersion.objects.create(
            document=document,
            number=1,
            title=title,
            body=body,
            source=source,
            file=stored,
            author=by,
            note=template.name if template is not None else "",
        )
        document_index(document)
        record_event(document, by=by, kind="draft", data={"source": source})
        audit_record(
            actor=by,
            action="documents.draft_create",
            target=document,
            data={"type": document_type, "source": source},
        )
    return document


def _current_approval(document: Document) -> DocumentApproval | None:
    return (
        DocumentApproval.objects.select_related("instance")
        .filter(document=document)
        .order_by("-submitted_at", "-id")
        .first()
    )


def may_revise(document: Document, user: User) -> bool:
    """Return whether the user may save a new version of the draft now."""
    if document.direction != Direction.OUTGOING or document.is_classified:
        return False
    if document.state == Document.State.DRAFTING:
        return document.created_by_id == user.pk
    if document.state != Document.State.REVIEWING:
        return False
    approval = _current_approval(document)
    if approval is None:
        return False
    instance = approval.instance
    if instance.status == FlowInstance.Status.RETURNED:
        return instance.initiator_id == user.pk
    return FlowTask.objects.filter(
        instance=instance, state=FlowTask.State.OPEN, assignee=user
    ).exists()


def draft_revise(
    *,
    document: Document,
    by: User,
    title: str,
    body: str,
    note: str = "",
    docx: IO[bytes] | None = None,
    docx_name: str = "",
) -> DraftVersion:
    """Save the next version of a draft: the drafter's, or a reviewer's revision."""
    source = DraftVersion.Source.TYPED
    intake = None
    if docx is not None:
        body, intake = _read_docx(docx, docx_name)
        source = DraftVersion.Source.DOCX
    title, body = _check_text(
        document_type=document.document_type, title=title, body=body
    )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not may_revise(locked, by):
            raise DomainError(
                _(
                    "This draft cannot be changed by you now: it is with someone "
                    "else, or it has been signed off."
                ),
                code="draft_not_yours",
            )
        latest = locked.versions.order_by("-number").first()
        if latest is not None and latest.title == title and latest.body == body:
            raise DomainError(
                _("Nothing has changed since version %(n)s.") % {"n": latest.number},
                code="draft_unchanged",
            )
        top = locked.versions.aggregate(top=Max("number"))["top"] or 0
        stored = (
            file_store(
                locked, by=by, role=DocumentFile.Role.BODY, stream=docx, intake=intake
            )
            if docx is not None and intake is not None
            else None
        )
        version = DraftVersion.objects.create(
            document=locked,
            number=top + 1,
            title=title,
            body=body,
            source=source,
            file=stored,
            author=by,
            note=note.strip()[:200],
        )
        locked.title = title
        locked.body = body
        locked.save(update_fields=["title", "body", "updated_at"])
        document_index(locked)
        record_event(
            locked, by=by, kind="draft_revise", data={"version": version.number}
        )
        audit_record(
            actor=by,
            action="documents.draft_revise",
            target=locked,
            data={"version": version.number, "source": source},
        )
    return version


def countersigners_for(departments: Iterable[Department]) -> list[User]:
    """Return the head of each countersigning department; name those without one."""
    heads: list[User] = []
    missing: list[str] = []
    for department in departments:
        head = department_head_for(department)
        if head is None:
            missing.append(department.name)
        elif head not in heads:
            heads.append(head)
    if missing:
        raise DomainError(
            {
                "countersign_departments": [
                    _("%(departments)s has no head to countersign.")
                    % {"departments": "、".join(missing)}
                ]
            },
            code="countersign_no_head",
        )
    return heads


def draft_submit(
    *,
    document: Document,
    by: User,
    important: bool = False,
    countersign_departments: Iterable[Department] = (),
    now: datetime.datetime | None = None,
) -> DocumentApproval:
    """Submit a draft to the outgoing flow (送审); the drafter only, once at a time."""
    from zhiban.documents.kind import SIGNOFF_OVERSEEING, SIGNOFF_PRINCIPAL
    from zhiban.workflow.services import instance_start

    departments = [d for d in countersign_departments if d.pk != document.department_id]
    heads = countersigners_for(departments)
    upward = elements.is_upward(document.document_type)
    signoff = SIGNOFF_PRINCIPAL if (upward or important) else SIGNOFF_OVERSEEING
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.created_by_id != by.pk:
            raise PermissionDeniedError(_("Only the drafter submits a draft."))
        if locked.state != Document.State.DRAFTING:
            raise DomainError(
                _("This draft has already been submitted (%(state)s).")
                % {"state": locked.get_state_display()},
                code="draft_submitted",
            )
        if not locked.body.strip():
            raise DomainError(
                {"body": [_("Write the text before you submit the draft.")]},
                code="draft_empty",
            )
        version = locked.versions.order_by("-number").first()
        if version is None:  # drafts made before versions existed
            version = DraftVersion.objects.create(
                document=locked,
                number=1,
                title=locked.title,
                body=locked.body,
                source=DraftVersion.Source.TYPED,
                author=by,
            )
        instance = instance_start(
            flow_code=OUTGOING_FLOW_CODE,
            form={
                "document": locked.pk,
                "signoff": signoff,
                "countersigners": [h.pk for h in heads],
            },
            by=by,
            title=locked.title,
            now=now,
        )
        approval = DocumentApproval.objects.create(
            document=locked, instance=instance, version=version
        )
        # The engine may finish at once (every node auto-passed): the outcome
        # handler then found no approval row yet, so settle it here.
        instance.refresh_from_db()
        if instance.is_finished:
            _settle(locked, instance)
        elif locked.state == Document.State.DRAFTING:
            locked.state = Document.State.REVIEWING
            locked.save(update_fields=["state", "updated_at"])
        record_event(
            locked,
            by=by,
            kind="draft_submit",
            data={
                "version": version.number,
                "signoff": signoff,
                "countersigners": [h.display_name for h in heads],
            },
        )
        audit_record(
            actor=by,
            action="documents.draft_submit",
            target=locked,
            data={"instance": instance.pk, "version": version.number},
        )
    return approval


def _signoff_action(instance: FlowInstance) -> FlowAction | None:
    """Return the approval given at the sign-off node (签发), the last if several."""
    actions = list(
        FlowAction.objects.select_related("actor", "on_behalf_of")
        .filter(instance=instance, kind=FlowAction.Kind.APPROVE)
        .order_by("-sequence")
    )
    names = {
        task.node_id: task.node_name
        for task in FlowTask.objects.filter(instance=instance).only(
            "node_id", "node_name"
        )
    }
    for action in actions:
        if action.node_id.startswith("sign") or "签发" in names.get(action.node_id, ""):
            return action
    return None


def _settle(document: Document, instance: FlowInstance) -> None:
    """Bring the (locked) document in line with its approval's terminal status."""
    status = instance.status
    actor = instance.initiator
    if status == FlowInstance.Status.APPROVED:
        action = _signoff_action(instance)
        leader = None
        if action is not None:
            leader = action.on_behalf_of or action.actor
        signed_at = action.at if action is not None else timezone.now()
        document.state = Document.State.SIGNED
        document.written_on = timezone.localdate(signed_at)
        fields = ["state", "written_on", "updated_at"]
        if leader is not None and elements.is_upward(document.document_type):
            document.signers = leader.display_name
            fields.append("signers")
        document.save(update_fields=fields)
        record_event(
            document,
            by=action.actor if action is not None and action.actor else actor,
            kind="signed",
            data={
                "leader": leader.display_name if leader is not None else "",
                "on": timezone.localdate(signed_at).isoformat(),
            },
            note=action.comment if action is not None else "",
        )
    elif status in (
        FlowInstance.Status.REJECTED,
        FlowInstance.Status.WITHDRAWN,
        FlowInstance.Status.REVOKED,
    ):
        if document.state not in (Document.State.REVIEWING, Document.State.SIGNED):
            return
        last = (
            FlowAction.objects.select_related("actor")
            .filter(instance=instance)
            .order_by("-sequence")
            .first()
        )
        document.state = Document.State.DRAFTING
        document.save(update_fields=["state", "updated_at"])
        record_event(
            document,
            by=last.actor if last is not None and last.actor else actor,
            kind="approval_ended",
            data={"status": status},
            note=last.comment if last is not None else "",
        )


def approval_outcome(instance: FlowInstance) -> None:
    """React to the outgoing flow's outcome (registered for the flow kind "document")."""
    approval = (
        DocumentApproval.objects.filter(instance=instance)
        .select_related("document")
        .first()
    )
    if approval is None:  # still inside draft_submit, which settles it itself
        return
    locked = Document.objects.select_for_update().get(pk=approval.document_id)
    _settle(locked, instance)
    document_index(locked)
