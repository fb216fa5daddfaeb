"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "documents.series.create": _("Number series added"),
    "documents.series.update": _("Number series edited"),
    "documents.register": _("Document registered"),
    "documents.update": _("Register entry edited"),
    "documents.paper_handover": _("Paper copy handed over"),
    "documents.file_add": _("File added to a document"),
    "documents.number_allocate": _("Document number allocated"),
    "documents.number_void": _("Document number voided"),
    "documents.circulation_start": _("Circulation started"),
    "documents.circulation_opinion": _("Circulation opinion given"),
    "documents.circulation_close": _("Circulation closed"),
}
