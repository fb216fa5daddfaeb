"""Every write of meeting rooms and bookings (rules, rooms, bookings)."""

from zhiban.meetings.services.approval import booking_outcome
from zhiban.meetings.services.bookings import (
    MAX_OCCURRENCES,
    booking_cancel,
    booking_change,
    booking_create,
    series_cancel,
    series_create,
)
from zhiban.meetings.services.calendars import (
    calendar_feed_renew,
    calendar_feed_revoke,
    calendar_ics,
)
from zhiban.meetings.services.checklists import (
    checklist_add,
    checklist_apply,
    checklist_tick,
    contingency_attach,
)
from zhiban.meetings.services.materials import (
    MATERIAL_MAX_BYTES,
    material_upload,
    material_view,
    materials_withdraw,
    may_view_materials,
)
from zhiban.meetings.services.meetings import (
    attendee_reply,
    invitees,
    leave_decide,
    meeting_cancel,
    meeting_change,
    meeting_create,
    meeting_publish,
    meeting_url,
)
from zhiban.meetings.services.minutes import (
    DecisionData,
    decision_items,
    decision_to_item,
    minutes_save,
    minutes_to_document,
)
from zhiban.meetings.services.rooms import PHOTO_MAX_BYTES, RoomData, room_save
from zhiban.meetings.services.rules import (
    HORIZON,
    STEP_MINUTES,
    BookingConflictError,
    Slot,
    room_is_open_on,
    slot_text,
)
from zhiban.meetings.services.signin import (
    ROTATE_SECONDS,
    Attendance,
    meeting_attendance,
    sign_in_by_staff,
    sign_in_by_token,
    signin_token,
)

__all__ = [
    "HORIZON",
    "MATERIAL_MAX_BYTES",
    "MAX_OCCURRENCES",
    "PHOTO_MAX_BYTES",
    "ROTATE_SECONDS",
    "STEP_MINUTES",
    "Attendance",
    "BookingConflictError",
    "DecisionData",
    "RoomData",
    "Slot",
    "attendee_reply",
    "booking_cancel",
    "booking_change",
    "booking_create",
    "booking_outcome",
    "calendar_feed_renew",
    "calendar_feed_revoke",
    "calendar_ics",
    "checklist_add",
    "checklist_apply",
    "checklist_tick",
    "contingency_attach",
    "decision_items",
    "decision_to_item",
    "invitees",
    "leave_decide",
    "material_upload",
    "material_view",
    "materials_withdraw",
    "may_view_materials",
    "meeting_attendance",
    "meeting_cancel",
    "meeting_change",
    "meeting_create",
    "meeting_publish",
    "meeting_url",
    "minutes_save",
    "minutes_to_document",
    "room_is_open_on",
    "room_save",
    "series_cancel",
    "series_create",
    "sign_in_by_staff",
    "sign_in_by_token",
    "signin_token",
    "slot_text",
]
