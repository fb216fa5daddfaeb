"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "org.delegation_create": _("Delegation created"),
    "org.delegation_end": _("Delegation ended"),
    "org.department_create": _("Department created"),
    "org.department_update": _("Department edited"),
    "org.department_move": _("Department moved"),
    "org.department_set_overseeing_leader": _("Overseeing leader set"),
    "org.import": _("Organisation imported"),
    "org.membership_set": _("Membership set"),
    "org.membership_remove": _("Membership removed"),
    "org.post_create": _("Post created"),
    "org.post_update": _("Post edited"),
    "org.post_delete": _("Post deleted"),
    "org.unit_create": _("Unit created"),
    "org.unit_update": _("Unit edited"),
    "org.user_create": _("Person created"),
    "org.user_update": _("Person edited"),
    "org.user_deactivate": _("Person deactivated"),
    "org.user_reactivate": _("Person reactivated"),
    "org.user_roles_set": _("Roles changed"),
    "org.working_day_override_set": _("Working-day override set"),
    "org.working_day_override_delete": _("Working-day override deleted"),
}
