from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "zhiban.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from zhiban.audit.actions import discover_action_labels

        discover_action_labels()
