"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "supervision.item_create": _("Supervision item drafted"),
    "supervision.item_submit_review": _(
        "Supervision item sent for the leader's review"
    ),
    "supervision.item_review": _("Supervision item reviewed by the leader"),
    "supervision.item_issue": _("Supervision item issued"),
    "supervision.item_sign": _("Supervision item signed for"),
    "supervision.item_plan": _("Supervision plan reported"),
    "supervision.item_report": _("Supervision progress reported"),
    "supervision.item_request_completion": _("Supervision item completion requested"),
    "supervision.item_close": _("Supervision item closed"),
    "supervision.item_return": _("Supervision item returned"),
    "supervision.item_archive": _("Supervision item archived"),
    "supervision.item_urge": _("Supervision item urged"),
    "supervision.escalate": _("Supervision urge ladder sent"),
    "supervision.extension_request": _("Supervision extension requested"),
    "supervision.inspection_record": _("On-site supervision recorded"),
    "supervision.profile_save": _("Supervision clock saved"),
    "supervision.assessment_rule_set": _("Supervision assessment weights set"),
}
