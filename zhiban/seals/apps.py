from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealsConfig(AppConfig):
    name = "zhiban.seals"
    verbose_name = _("Seal use")

    def ready(self) -> None:
        from zhiban.org.work_kinds import register_work_kind
        from zhiban.seals.kind import register

        # The keeper's "stamp this" item stays with the keeper: the seal's deputy
        # keeper covers an absence, and only they may record a stamping.
        register_work_kind("seal_use", _("Seal use"), delegable=False)
        register()
