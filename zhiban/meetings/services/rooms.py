"""Rooms as the office keeps them: building, seats, equipment, hours, photo."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import inspect_upload
from zhiban.meetings import policies
from zhiban.meetings.models import (
    Equipment,
    OpenDays,
    Room,
)
from zhiban.meetings.services.rules import _text
from zhiban.org.models import Unit, User

PHOTO_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


# --- rooms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomData:
    """What a room page or the API gives for a room."""

    unit: Unit
    building: str
    floor: str
    name: str
    capacity: int
    equipment: Sequence[Equipment]
    opens_at: datetime.time
    closes_at: datetime.time
    open_days: str
    needs_approval: bool
    manager: User | None
    notes: str = ""
    sort_order: int = 0
    is_active: bool = True


def _photo_name(upload: Any) -> str:
    return str(getattr(upload, "name", "") or "photo")


def room_save(
    *,
    by: User,
    data: RoomData,
    room: Room | None = None,
    photo: IO[bytes] | None = None,
    remove_photo: bool = False,
) -> Room:
    """Create a room, or change one (office director and administrators)."""
    if not policies.can_manage_rooms(by):
        raise PermissionDeniedError(_("Only the office manages meeting rooms."))
    errors: dict[str, list[str]] = {}
    if data.needs_approval and data.manager is None:
        errors["manager"] = [_("A room whose bookings need approval needs a manager.")]
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = [_("The room must close after it opens.")]
    if data.open_days not in OpenDays.values:
        errors["open_days"] = [_("Choose the days the room is open.")]
    if photo is not None:
        try:
            inspect_upload(
                photo,
                name=_photo_name(photo),
                allowed=PHOTO_TYPES,
                max_bytes=PHOTO_MAX_BYTES,
            )
        except DomainError as error:
            errors["photo"] = error.messages
    if errors:
        raise DomainError(errors, code="invalid_room")
    with transaction.atomic():
        creating = room is None
        target = room if room is not None else Room()
        if not creating:
            target = Room.objects.select_for_update().get(pk=target.pk)
        target.unit = data.unit
        target.building = _text(data.building, "building", limit=50)
        target.floor = _text(data.floor, "floor", limit=10)
        target.name = _text(data.name, "name", limit=50)
        target.capacity = data.capacity
        target.opens_at = data.opens_at
        target.closes_at = data.closes_at
        target.open_days = data.open_days
        target.needs_approval = data.needs_approval
        target.manager = data.manager
        target.notes = _text(data.notes, "notes", limit=200, required=False)
        target.sort_order = data.sort_order
        target.is_active = data.is_active
        if remove_photo and target.photo:
            target.photo.delete(save=False)
            target.photo = ""  # type: ignore[assignment]
        if photo is not None:
            from django.core.files import File

            target.photo.save(_photo_name(photo), File(photo), save=False)
        target.full_clean(exclude=["photo"])
        target.save()
        target.equipment.set(data.equipment)
        audit_record(
            actor=by,
            action="meetings.room_create" if creating else "meetings.room_update",
            target=target,
            data={
                "name": str(target),
                "capacity": target.capacity,
                "needs_approval": target.needs_approval,
                "active": target.is_active,
            },
        )
    return target
