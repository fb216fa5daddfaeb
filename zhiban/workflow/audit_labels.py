"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "workflow.flow_create": _("Approval flow created"),
    "workflow.flow_publish": _("Approval flow published"),
    "workflow.flow_form_save": _("Approval flow form saved"),
    "workflow.flow_settings_save": _("Approval flow settings saved"),
    "workflow.flow_draft_save": _("Approval flow draft saved"),
    "workflow.flow_copy": _("Approval flow copied"),
    "workflow.flow_activate": _("Approval flow enabled"),
    "workflow.flow_deactivate": _("Approval flow disabled"),
    "workflow.instance_submit": _("Approval submitted"),
    "workflow.instance_approve": _("Approval: approved"),
    "workflow.instance_reject": _("Approval: rejected"),
    "workflow.instance_return": _("Approval: returned"),
    "workflow.instance_transfer": _("Approval: transferred"),
    "workflow.instance_add_approver": _("Approval: approver added"),
    "workflow.instance_withdraw": _("Approval withdrawn"),
    "workflow.instance_urge": _("Approval urged"),
    "workflow.instance_comment": _("Approval: commented"),
    "workflow.instance_revoke": _("Approval revoked"),
    "workflow.instance_revoke_request": _("Revocation of an approval requested"),
    "workflow.instance_timeout": _("Approval: node timed out"),
}
