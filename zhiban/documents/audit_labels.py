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
    "documents.incoming_check": _("Incoming document checked"),
    "documents.incoming_propose": _("Handling proposed"),
    "documents.incoming_instruct": _("Leader's instruction recorded"),
    "documents.incoming_reply": _("Department reply recorded"),
    "documents.incoming_complete": _("Incoming document completed"),
    "documents.incoming_urge": _("Handlers urged"),
    "documents.draft_create": _("Draft started"),
    "documents.draft_revise": _("Draft version saved"),
    "documents.draft_submit": _("Draft submitted for approval"),
    "documents.print": _("Printing recorded"),
    "documents.issue": _("Document issued"),
    "documents.receipt_sign": _("Distributed document signed for"),
    "documents.receipt_complete": _("Distributed document completed"),
    "documents.recall": _("Distributed document recalled"),
    "documents.ready_to_file": _("Document marked ready to file"),
    "documents.draft_note": _("Drafting note added"),
    "documents.follow_up_done": _("Follow-up result recorded"),
}
