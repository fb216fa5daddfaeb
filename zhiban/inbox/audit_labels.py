"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "inbox.channel_preference_set": _("Notification channels changed"),
    "inbox.work_item_escalate": _("Overdue work escalated"),
}
