"""Number series (机关代字) and the numbers they give out.

Numbers are allocated under a lock on the series row (PostgreSQL) or inside SQLite's
IMMEDIATE write transaction, so the next number is computed from every number the
series ever gave out in that year, voided ones included: no duplicates, no gaps, no
reuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import elements, policies
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentNumber,
    NumberSeries,
)

# The fields a register entry is created and changed with (services keyword names).
from zhiban.documents.search import document_index
from zhiban.documents.services._common import full_clean_or_refuse, record_event
from zhiban.org.models import Unit, User

SERIES_FIELDS = ("code", "name", "document_types", "is_active")


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
        full_clean_or_refuse(series)
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
        full_clean_or_refuse(locked)
        locked.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=by,
            action="documents.series.update",
            target=locked,
            data={k: v for k, v in changes.items() if k != "document_types"},
        )
    return locked


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
        if locked.approvals.exists() and locked.state != Document.State.SIGNED:
            raise DomainError(
                _("A draft is numbered once it is signed off (it is %(state)s).")
                % {"state": locked.get_state_display()},
                code="number_not_signed",
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
        document_index(locked)
        record_event(
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
        # A signed draft goes back to waiting for its number; a register entry to
        # drafting. A printed copy under the voided number is no longer valid.
        back = (
            Document.State.SIGNED
            if document.approvals.exists()
            else Document.State.DRAFTING
        )
        Document.objects.filter(pk=document.pk).update(
            document_number="", state=back, updated_at=timezone.now()
        )
        document.document_number = ""
        document.state = back
        document_index(document)
        record_event(
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
