"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "seal.create": _("Seal added to the register"),
    "seal.update": _("Seal edited"),
    "seal.deactivate": _("Seal deactivated"),
    "seal.activate": _("Seal reactivated"),
    "seal.use_open": _("Seal use booked in the ledger"),
    "seal.use_stamp": _("Stamping recorded"),
    "seal.use_revoke": _("Seal use revoked"),
}
