"""Meeting materials (会议材料): upload by agenda item, versioned; viewed watermarked.

Only PDFs and images are taken, because only they can carry the viewer's name on
every view; a forbidden type or an oversized file is refused by
``core.files.inspect_upload`` before anything is stored.
"""

from __future__ import annotations

import datetime
from typing import IO

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import inspect_upload
from zhiban.meetings import policies, watermark
from zhiban.meetings.models import AgendaItem, Attendee, Material, Meeting
from zhiban.org.models import User

MATERIAL_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
}
MATERIAL_MAX_BYTES = 20 * 1024 * 1024


def material_upload(
    *,
    meeting: Meeting,
    by: User,
    stream: IO[bytes],
    name: str,
    agenda_item: AgendaItem | None = None,
    now: datetime.datetime | None = None,
) -> Material:
    """Store a material; the same name again under the same item is its next version."""
    moment = now or timezone.now()
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise DomainError(
            {"agenda_item": [_("Choose an item of this meeting's agenda.")]},
            code="bad_item",
        )
    presenter = agenda_item is not None and agenda_item.presenter_id == by.pk
    if not (presenter or policies.can_manage_meeting(by, meeting)):
        raise PermissionDeniedError(
            _("Only the organiser, the office or the item's presenter adds materials.")
        )
    intake = inspect_upload(
        stream, name=name, allowed=MATERIAL_TYPES, max_bytes=MATERIAL_MAX_BYTES
    )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state == Meeting.State.CANCELLED:
            raise DomainError(_("This meeting is cancelled."), code="cancelled")
        last = Material.objects.filter(
            meeting=locked, agenda_item=agenda_item, name=intake.name[:200]
        ).aggregate(last=Max("version"))["last"]
        material = Material(
            meeting=locked,
            agenda_item=agenda_item,
            name=intake.name[:200],
            version=(last or 0) + 1,
            size=intake.size,
            sha256=intake.sha256,
            content_type=intake.content_type,
            uploaded_by=by,
            uploaded_at=moment,
        )
        stream.seek(0)
        material.file.save(intake.name, File(stream), save=False)
        material.save()
        audit_record(
            actor=by,
            action="meetings.material_upload",
            target=locked,
            data={
                "material": material.pk,
                "name": material.name,
                "v": material.version,
            },
        )
    return material


def may_view_materials(user: User, meeting: Meeting) -> bool:
    """Attendees and substitutes while not withdrawn; the organiser, chair, office."""
    if policies.can_manage_meeting(user, meeting) or user.pk == meeting.chair_id:
        return True
    if meeting.materials_withdrawn_at is not None:
        return False
    return Attendee.objects.filter(meeting=meeting, user=user).exists()


def material_view(
    *, material: Material, by: User, now: datetime.datetime | None = None
) -> tuple[bytes, str]:
    """Return a copy of the material watermarked with the viewer's name and the time."""
    moment = now or timezone.now()
    meeting = material.meeting
    if not may_view_materials(by, meeting):
        raise PermissionDeniedError(
            _("The materials of this meeting are for its attendees only.")
            if meeting.materials_withdrawn_at is None
            else _("The materials of this meeting have been withdrawn.")
        )
    stamp = "{name} {time}".format(
        name=by.display_name,
        time=formats.date_format(timezone.localtime(moment), "Y-m-d H:i"),
    )
    with material.file.open("rb") as handle:
        data = handle.read()
    if material.content_type == "application/pdf":
        result, content_type = watermark.watermark_pdf(data, stamp), "application/pdf"
    else:
        result, content_type = watermark.watermark_image(data, stamp)
    audit_record(
        actor=by,
        action="meetings.material_view",
        target=meeting,
        data={"material": material.pk, "v": material.version},
    )
    return result, content_type


def materials_withdraw(
    *, meeting: Meeting, by: User, now: datetime.datetime | None = None
) -> Meeting:
    """After the meeting, withdraw the materials from the attendees."""
    moment = now or timezone.now()
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not policies.can_manage_meeting(by, locked):
            raise PermissionDeniedError(
                _("Only the organiser or the office changes this meeting.")
            )
        if locked.ends_at > moment:
            raise DomainError(
                _("Materials are withdrawn once the meeting is over."), code="not_over"
            )
        if locked.materials_withdrawn_at is None:
            locked.materials_withdrawn_at = moment
            locked.save(update_fields=["materials_withdrawn_at", "updated_at"])
            audit_record(
                actor=by, action="meetings.materials_withdraw", target=locked, data={}
            )
    return locked
