"""Register entries (收文/发文登记): their elements, files and the paper copy."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Field, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import Intake, inspect_upload
from zhiban.documents import elements, policies
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentNumber,
)
from zhiban.documents.search import INDEXED_FIELDS, document_index

# The fields a register entry is created and changed with (services keyword names).
from zhiban.documents.services._common import (
    DOCUMENT_FIELDS,
    classified_refusal,
    record_event,
    secrecy_levels,
)
from zhiban.documents.services.handling import incoming_handling_start
from zhiban.org.models import Unit, User

# --- register entries -----------------------------------------------------------


def _check_document(document: Document) -> None:
    """Check the elements against the 条例 and GB/T 9704; raise by field."""
    problems: dict[str, list[str]] = {}

    def check(field: str, call: Any, *args: Any, **kwargs: Any) -> None:
        try:
            call(*args, **kwargs)
        except ValidationError as error:
            problems.setdefault(field, []).extend(error.messages)

    check("title", elements.validate_title, document.title, document.document_type)
    if document.secrecy_level:
        if document.secrecy_level not in secrecy_levels():
            problems.setdefault("secrecy_level", []).append(
                _("Choose one of the secrecy levels: %(levels)s.")
                % {"levels": "、".join(secrecy_levels())}
            )
        else:
            check(
                "secrecy_level",
                elements.validate_secrecy_term,
                document.secrecy_level,
                document.secrecy_term_years,
                document.secrecy_term_months,
            )
        if not document.copy_number:
            problems.setdefault("copy_number", []).append(
                _("A classified document carries its copy number (份号).")
            )
        if document.body:
            problems.setdefault("body", []).append(classified_refusal(document))
    elif document.secrecy_term_years or document.secrecy_term_months:
        problems.setdefault("secrecy_level", []).append(
            _("A secrecy term needs a secrecy level.")
        )
    if document.main_recipients:
        check(
            "main_recipients",
            elements.validate_main_recipients,
            document.main_recipients,
            document.document_type,
        )
    check(
        "attachment_names",
        elements.validate_attachment_names,
        list(document.attachment_names),
    )
    if document.direction == Direction.INCOMING:
        if not document.sender.strip():
            problems.setdefault("sender", []).append(
                _("Say which body sent the document.")
            )
        if document.received_on is None:
            problems.setdefault("received_on", []).append(
                _("Give the date the document was received.")
            )
        elif document.received_on > timezone.localdate():
            problems.setdefault("received_on", []).append(
                _("The date received cannot be in the future.")
            )
    if (
        document.deadline
        and document.received_on
        and document.deadline < document.received_on
    ):
        problems.setdefault("deadline", []).append(
            _("The deadline cannot be before the date received.")
        )
    if (
        document.printed_on
        and document.written_on
        and (document.printed_on < document.written_on)
    ):
        problems.setdefault("printed_on", []).append(
            _("A document is printed on or after the date it was written.")
        )
    try:
        document.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            problems.setdefault(field, []).extend(messages)
    if problems:
        raise DomainError(problems, code="document_elements")


def _next_register_sequence(unit: Unit, year: int) -> int:
    # Lock the unit row so two clerks registering at once queue here (PostgreSQL);
    # SQLite's IMMEDIATE transaction already serialises every writer.
    Unit.objects.select_for_update().filter(pk=unit.pk).exists()
    top = Document.objects.filter(unit=unit, register_year=year).aggregate(
        top=Max("register_sequence")
    )["top"]
    return (top or 0) + 1


def document_register(
    *, by: User, direction: str, unit: Unit, **fields: Any
) -> Document:
    """Register a document: an incoming one gets the year's next register number."""
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    classified = bool(fields.get("secrecy_level"))
    if not policies.can_register(by, classified=classified):
        if classified:
            raise PermissionDeniedError(
                _("Only a confidential clerk (机要员) registers classified documents.")
            )
        raise PermissionDeniedError(_("Only the office's clerks register documents."))
    with transaction.atomic():
        document = Document(direction=direction, unit=unit, created_by=by, **fields)
        document.state = (
            Document.State.DRAFTING
            if direction == Direction.OUTGOING
            else Document.State.REGISTERED
        )
        _check_document(document)
        if direction == Direction.INCOMING:
            year = (document.received_on or timezone.localdate()).year
            document.register_year = year
            document.register_sequence = _next_register_sequence(unit, year)
        document.save()
        document_index(document)
        record_event(
            document,
            by=by,
            kind="register",
            data={"direction": document.direction},
        )
        if direction == Direction.INCOMING:
            incoming_handling_start(document=document, by=by)
        if document.paper_holder_id:
            record_event(
                document,
                by=by,
                kind="paper",
                data={"holder": str(document.paper_holder)},
                note=document.paper_location,
            )
        audit_record(
            actor=by,
            action="documents.register",
            target=document,
            data={
                "direction": direction,
                "type": document.document_type,
                "classified": classified,
                "register_number": document.register_number,
            },
        )
    return document


def document_update(*, document: Document, by: User, **changes: Any) -> Document:
    """Change the elements of a register entry; the trail records what changed."""
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    if (
        "document_number" in changes
        and document.numbers.filter(status=DocumentNumber.Status.ALLOCATED).exists()
    ):
        raise DomainError(
            {
                "document_number": _(
                    "The number was allocated from a series; void it to change it."
                )
            },
            code="number_allocated",
        )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not policies.can_register(
            by, classified=locked.is_classified or bool(changes.get("secrecy_level"))
        ):
            raise PermissionDeniedError(_("You may not change this register entry."))
        changed = [
            f for f, v in changes.items() if getattr(locked, _attname(f)) != _pk(v)
        ]
        for field, value in changes.items():
            setattr(locked, field, value)
        _check_document(locked)
        if not changed:
            return locked
        locked.save(update_fields=[*changed, "updated_at"])
        if set(changed) & set(INDEXED_FIELDS):
            document_index(locked)
        record_event(
            locked,
            by=by,
            kind="update",
            data={"fields": changed},
        )
        audit_record(
            actor=by,
            action="documents.update",
            target=locked,
            data={"fields": changed},
        )
    return locked


def _concrete(field: str) -> Field[Any, Any]:
    found = Document._meta.get_field(field)
    assert isinstance(found, Field)  # noqa: S101 - DOCUMENT_FIELDS are concrete
    return found


def _attname(field: str) -> str:
    return _concrete(field).attname


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def document_paper_handover(
    *, document: Document, by: User, holder: User, location: str = "", note: str = ""
) -> Document:
    """Record who now holds the paper copy of a document, and where it is kept."""
    if not policies.can_register(by, classified=document.is_classified):
        raise PermissionDeniedError(_("You may not record where this document is."))
    if not holder.is_active:
        raise DomainError(
            {"holder": _("The paper copy can only go to an active user.")},
            code="inactive_holder",
        )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        locked.paper_holder = holder
        locked.paper_location = location.strip()[:200]
        locked.save(update_fields=["paper_holder", "paper_location", "updated_at"])
        record_event(
            locked,
            by=by,
            kind="paper",
            data={"holder": str(holder)},
            note="\n".join(p for p in (locked.paper_location, note.strip()) if p),
        )
        audit_record(
            actor=by,
            action="documents.paper_handover",
            target=locked,
            data={"holder": holder.pk},
        )
    return locked


# --- files ---------------------------------------------------------------------


def file_store(
    document: Document, *, by: User, role: str, stream: IO[bytes], intake: Intake
) -> DocumentFile:
    """Write an inspected upload as a file of the document (caller's transaction)."""
    attached = DocumentFile(
        document=document,
        role=role,
        original_name=intake.name[:200],
        size=intake.size,
        sha256=intake.sha256,
        content_type=intake.content_type,
        uploaded_by=by,
    )
    stream.seek(0)
    attached.file.save(intake.name, File(stream), save=False)
    attached.save()
    return attached


def document_file_add(
    *,
    document: Document,
    by: User,
    role: str,
    stream: IO[bytes],
    name: str,
) -> DocumentFile:
    """Attach a file to a document; a classified document refuses every file."""
    if document.is_classified:
        raise DomainError(classified_refusal(document), code="classified_no_content")
    if not policies.can_register(by, classified=False):
        raise PermissionDeniedError(_("You may not add files to this document."))
    if role not in DocumentFile.Role.values:
        raise DomainError({"role": _("Choose what the file is.")}, code="file_role")
    intake = inspect_upload(stream, name=name)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_classified:  # classified in the meantime
            raise DomainError(classified_refusal(locked), code="classified_no_content")
        attached = file_store(locked, by=by, role=role, stream=stream, intake=intake)
        record_event(
            locked,
            by=by,
            kind="file",
            data={"name": attached.original_name, "role": role},
        )
        audit_record(
            actor=by,
            action="documents.file_add",
            target=locked,
            data={"file": attached.pk, "sha256": intake.sha256, "role": role},
        )
    return attached
