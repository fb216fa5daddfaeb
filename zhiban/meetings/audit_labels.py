"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "meetings.room_create": _("Meeting room added"),
    "meetings.room_update": _("Meeting room changed"),
    "meetings.booking_create": _("Meeting room booked"),
    "meetings.series_create": _("Recurring meeting room booking made"),
    "meetings.booking_change": _("Meeting room booking moved"),
    "meetings.booking_cancel": _("Meeting room booking cancelled"),
    "meetings.series_cancel": _("Recurring meeting room booking cancelled"),
    "meetings.booking_approve": _("Meeting room booking approved"),
    "meetings.booking_reject": _("Meeting room booking not approved"),
    "meetings.booking_withdraw": _("Meeting room booking withdrawn"),
    "meetings.meeting_create": _("Meeting drafted"),
    "meetings.meeting_publish": _("Meeting notice published"),
    "meetings.meeting_change": _("Meeting moved"),
    "meetings.meeting_cancel": _("Meeting cancelled"),
    "meetings.attendee_reply": _("Reply to a meeting notice"),
    "meetings.leave_decide": _("Leave from a meeting decided"),
    "meetings.minutes_save": _("Meeting minutes written"),
    "meetings.minutes_to_document": _("Meeting minutes drafted as a document"),
    "meetings.decision_to_item": _("Meeting decision turned into a supervision item"),
    "meetings.material_upload": _("Meeting material uploaded"),
    "meetings.material_view": _("Meeting material viewed (watermarked)"),
    "meetings.materials_withdraw": _("Meeting materials withdrawn"),
    "meetings.sign_in": _("Signed in to a meeting"),
    "meetings.checklist_apply": _("Meeting service checklist made"),
    "meetings.checklist_tick": _("Meeting service task done"),
    "meetings.contingency_attach": _("Contingency plan attached to a meeting"),
    "meetings.calendar_feed_renew": _("Calendar address renewed"),
    "meetings.calendar_feed_revoke": _("Calendar address revoked"),
}
