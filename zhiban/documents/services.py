"""Every write of the document registers, the number series and document files.

Each service runs in one transaction and writes its audit entry last. Numbers are
allocated under a lock on the series row (PostgreSQL) or inside SQLite's IMMEDIATE
write transaction, so the next number is computed from every number the series
ever gave out in that year, voided ones included: no duplicates, no gaps, no reuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Field, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import inspect_upload
from zhiban.documents import elements, policies
from zhiban.documents.models import (
    NATIONAL_SECRECY_LEVELS,
    Direction,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentNumber,
    NumberSeries,
)
from zhiban.org.models import Unit, User

# The fields a register entry is created and changed with (services keyword names).
DOCUMENT_FIELDS = (
    "document_type",
    "title",
    "department",
    "copy_number",
    "secrecy_level",
    "secrecy_term_years",
    "secrecy_term_months",
    "urgency",
    "issuer_mark",
    "document_number",
    "signers",
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
    "sender",
    "received_on",
    "copies",
    "deadline",
    "paper_holder",
    "paper_location",
)
SERIES_FIELDS = ("code", "name", "document_types", "is_active")


def secrecy_levels() -> tuple[str, ...]:
    """Return every secrecy level a document may carry, national ones first."""
    return (*NATIONAL_SECRECY_LEVELS, *settings.DOCUMENT_COMMERCIAL_SECRECY_LEVELS)


def classified_refusal(document: Document) -> str:
    """Return the message that says why a classified document takes no content."""
    return _(
        "This document is classified (%(level)s): it is handled on paper only. "
        "Zhiban keeps its register entry, who holds the paper copy and its "
        "handling trail, never its content."
    ) % {"level": document.secrecy_level}


def _event(
    document: Document,
    *,
    by: User,
    kind: str,
    data: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    # Raw values only: the trail is worded in the reader's language when shown.
    DocumentEvent.objects.create(
        document=document, kind=kind, actor=by, data=data or {}, note=note
    )


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise DomainError(error.message_dict, code="invalid") from error


# --- number series -------------------------------------------------------------


def _check_series(series: NumberSeries) -> None:
    series.code = series.code.strip()
    series.name = series.name.strip()
    try:
        elements.validate_issuer_code(series.code)
    except ValidationError as error:
        raise DomainError({"code": error.messages}, code="series_code") from error
    known = {code for code, _name in elements.DOCUMENT_TYPES}
    unknown = [t for t in series.document_types if t not in known]
    if unknown:
        raise DomainError(
            {
                "document_types": _("Unknown document types: %(types)s.")
                % {"types": ", ".join(map(str, unknown))}
            },
            code="series_types",
        )
    taken = (
        NumberSeries.objects.filter(unit_id=series.unit_id, code=series.code)
        .exclude(pk=series.pk)
        .exists()
    )
    if taken:
        raise DomainError(
            {"code": _("The unit already has a series with this issuer code.")},
            code="series_code_taken",
        )


def series_create(
    *,
    by: User,
    unit: Unit,
    code: str,
    name: str,
    document_types: Sequence[str] = (),
) -> NumberSeries:
    """Add a document-number series (机关代字) to a unit."""
    if not policies.can_manage_series(by):
        raise PermissionDeniedError(
            _("Only the office director or a system administrator keeps the series.")
        )
    with transaction.atomic():
        series = NumberSeries(
            unit=unit, code=code, name=name, document_types=list(document_types)
        )
        _check_series(series)
        _full_clean(series)
        series.save()
        audit_record(
            actor=by,
            action="documents.series.create",
            target=series,
            data={"code": series.code, "unit": unit.pk},
        )
    return series


def series_update(*, series: NumberSeries, by: User, **changes: Any) -> NumberSeries:
    """Change a series; numbers already given keep the code they were given with."""
    if not policies.can_manage_series(by):
        raise PermissionDeniedError(
            _("Only the office director or a system administrator keeps the series.")
        )
    unknown = set(changes) - set(SERIES_FIELDS)
    if unknown:
        raise TypeError(f"unknown series fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = NumberSeries.objects.select_for_update().get(pk=series.pk)
        for field, value in changes.items():
            setattr(locked, field, list(value) if field == "document_types" else value)
        _check_series(locked)
        _full_clean(locked)
        locked.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=by,
            action="documents.series.update",
            target=locked,
            data={k: v for k, v in changes.items() if k != "document_types"},
        )
    return locked


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
        _event(
            document,
            by=by,
            kind="register",
            data={"direction": document.direction},
        )
        if document.paper_holder_id:
            _event(
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
        _event(
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
        _event(
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
        attached = DocumentFile(
            document=locked,
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
        _event(
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


# --- numbering -----------------------------------------------------------------


def number_allocate(
    *,
    document: Document,
    series: NumberSeries,
    by: User,
    year: int | None = None,
) -> DocumentNumber:
    """Give an outgoing document the next number of the series (登记/编号)."""
    if not policies.can_register(by, classified=document.is_classified):
        raise PermissionDeniedError(_("Only the office's clerks allocate numbers."))
    year = year or timezone.localdate().year
    with transaction.atomic():
        # The series row lock is the queue every allocation of the series waits in.
        locked_series = NumberSeries.objects.select_for_update().get(pk=series.pk)
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.direction == Direction.INCOMING:
            raise DomainError(
                _("An incoming document keeps its sender's number."),
                code="number_incoming",
            )
        if not locked_series.is_active:
            raise DomainError(
                {"series": _("The series is no longer in use.")},
                code="series_inactive",
            )
        if locked_series.unit_id != locked.unit_id:
            raise DomainError(
                {"series": _("The series belongs to another unit.")},
                code="series_unit",
            )
        if not locked_series.accepts(locked.document_type):
            raise DomainError(
                {
                    "series": _(
                        "The series does not number documents of type %(type)s."
                    )
                    % {"type": locked.get_document_type_display()}
                },
                code="series_type",
            )
        live = locked.numbers.filter(status=DocumentNumber.Status.ALLOCATED).first()
        if live is not None:
            raise DomainError(
                _("The document already has the number %(number)s.")
                % {"number": live.text},
                code="already_numbered",
            )
        top = DocumentNumber.objects.filter(series=locked_series, year=year).aggregate(
            top=Max("sequence")
        )["top"]
        sequence = (top or 0) + 1
        text = elements.format_document_number(locked_series.code, year, sequence)
        number = DocumentNumber.objects.create(
            series=locked_series,
            year=year,
            sequence=sequence,
            text=text,
            document=locked,
            allocated_by=by,
        )
        locked.document_number = text
        locked.state = Document.State.NUMBERED
        locked.save(update_fields=["document_number", "state", "updated_at"])
        _event(
            locked,
            by=by,
            kind="number",
            data={"number": text},
        )
        audit_record(
            actor=by,
            action="documents.number_allocate",
            target=locked,
            data={"number": text, "series": locked_series.pk},
        )
    return number


def number_void(*, number: DocumentNumber, by: User, reason: str) -> DocumentNumber:
    """Void an allocated number; it stays recorded and is never given out again."""
    reason = reason.strip()
    if not reason:
        raise DomainError(
            {"reason": _("Say why the number is voided.")}, code="void_reason"
        )
    with transaction.atomic():
        locked = (
            DocumentNumber.objects.select_for_update()
            .select_related("document")
            .get(pk=number.pk)
        )
        document = locked.document
        if not policies.can_register(by, classified=document.is_classified):
            raise PermissionDeniedError(_("Only the office's clerks void numbers."))
        if locked.status == DocumentNumber.Status.VOIDED:
            raise DomainError(
                _("The number %(number)s is already voided.") % {"number": locked.text},
                code="already_voided",
            )
        if document.state in (Document.State.ISSUED, Document.State.CLOSED):
            raise DomainError(
                _("The document is issued under this number; it cannot be voided."),
                code="number_issued",
            )
        locked.status = DocumentNumber.Status.VOIDED
        locked.void_reason = reason[:200]
        locked.voided_by = by
        locked.voided_at = timezone.now()
        locked.save(update_fields=["status", "void_reason", "voided_by", "voided_at"])
        Document.objects.filter(pk=document.pk).update(
            document_number="", state=Document.State.DRAFTING, updated_at=timezone.now()
        )
        _event(
            document,
            by=by,
            kind="number_void",
            data={"number": locked.text},
            note=locked.void_reason,
        )
        audit_record(
            actor=by,
            action="documents.number_void",
            target=document,
            data={"number": locked.text, "reason": locked.void_reason},
        )
    return locked
