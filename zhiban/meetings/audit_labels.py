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
}
