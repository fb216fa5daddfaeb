"""Labels of the audit actions this app writes (see zhiban.audit.actions)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "accounts.api_token_regenerate": _("API token regenerated"),
    "accounts.ldap_department_create": _("Department created from the directory"),
    "accounts.ldap_sync": _("Account updated from the directory"),
    "accounts.ldap_sync_failed": _("Directory update failed"),
    "accounts.lockout": _("Account locked after failed sign-ins"),
    "accounts.password_change": _("Password changed"),
    "accounts.sign_in": _("Signed in"),
    "accounts.sign_in_failed": _("Sign-in failed"),
    "accounts.sign_out": _("Signed out"),
}
