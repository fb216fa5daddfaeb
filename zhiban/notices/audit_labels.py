"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "notice.create": _("Notice drafted"),
    "notice.update": _("Notice edited"),
    "notice.publish": _("Notice published"),
    "notice.withdraw": _("Notice withdrawn"),
    "notice.pin": _("Notice pinned"),
    "notice.unpin": _("Notice unpinned"),
    "notice.read": _("Notice read"),
    "notice.remind": _("Readers reminded"),
}
