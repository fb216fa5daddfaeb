"""Ready for the archive (待归档): a finished document with its papers kept together.

Marking a document ready to file freezes what the archives module will take: the
formal copy (正本, frozen at issue), the final draft (定稿: the version that was
signed off and the sign-off, as a PDF by ``final_draft.py``), the handling form
(文件处理单, as it stands now) and the trail. A classified document is marked on
paper alone: nothing of its content is stored.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import Intake
from zhiban.documents import policies
from zhiban.documents.models import Direction, Document, DocumentFile
from zhiban.documents.services._common import record_event
from zhiban.documents.services.registers import file_store
from zhiban.org.models import User

# Which states mean "finished" for each direction.
FINISHED: dict[str, tuple[str, ...]] = {
    Direction.OUTGOING: (Document.State.ISSUED,),
    Direction.INCOMING: (Document.State.CLOSED,),
    Direction.INTERNAL: (Document.State.CLOSED, Document.State.ISSUED),
}


def is_finished(document: Document) -> bool:
    """Return whether the document's handling is over (it may be filed)."""
    return document.state in FINISHED.get(document.direction, ())


def _store_bytes(
    document: Document, *, by: User, role: str, name: str, data: bytes, kind: str
) -> DocumentFile:
    intake = Intake(
        name=name[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=kind,
    )
    document.files.filter(role=role).delete()  # the form as it stands now
    return file_store(document, by=by, role=role, stream=BytesIO(data), intake=intake)


def document_ready_to_file(*, document: Document, by: User) -> Document:
    """Mark a finished document ready for the archive, with its papers together."""
    from zhiban.documents.final_draft import final_draft_pdf
    from zhiban.documents.handling_form import handling_form_pdf

    classified = document.is_classified
    if not policies.can_register(by, classified=classified):
        raise PermissionDeniedError(_("Only the office's clerks prepare filing."))
    if not policies.in_unit_office(by, document.unit_id):
        raise PermissionDeniedError(
            _("Only the unit's own office prepares its filing.")
        )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.ready_to_file_at is not None:
            raise DomainError(
                _("It was already marked ready to file on %(day)s.")
                % {"day": timezone.localtime(locked.ready_to_file_at).date()},
                code="already_ready",
            )
        if not is_finished(locked):
            raise DomainError(
                _("Only a finished document is filed (it is %(state)s).")
                % {"state": locked.get_state_display()},
                code="not_finished",
            )
        stored: list[str] = []
        if not classified:
            pdf = handling_form_pdf(locked, printed_by=by)
            _store_bytes(
                locked,
                by=by,
                role=DocumentFile.Role.HANDLING_FORM,
                name=f"{locked.title}-处理单.pdf",
                data=pdf,
                kind="application/pdf",
            )
            stored.append(str(DocumentFile.Role.HANDLING_FORM.label))
            final = final_draft_pdf(locked)
            if final is not None:
                _store_bytes(
                    locked,
                    by=by,
                    role=DocumentFile.Role.FINAL_DRAFT,
                    name=f"{locked.title}-定稿.pdf",
                    data=final,
                    kind="application/pdf",
                )
                stored.append(str(DocumentFile.Role.FINAL_DRAFT.label))
        locked.ready_to_file_at = timezone.now()
        locked.ready_to_file_by = by
        locked.save(
            update_fields=["ready_to_file_at", "ready_to_file_by", "updated_at"]
        )
        record_event(locked, by=by, kind="ready_to_file", data={})
        audit_record(
            actor=by,
            action="documents.ready_to_file",
            target=locked,
            data={"files": stored},
        )
    return locked
