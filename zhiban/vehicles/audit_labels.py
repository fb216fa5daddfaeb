"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "vehicle.request_open": _("Vehicle request ready for dispatch"),
    "vehicle.request_cancel": _("Vehicle request cancelled"),
}
