from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "zhiban.notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from zhiban.notices.models import WORK_ITEM_KIND
        from zhiban.org.work_kinds import register_work_kind

        # The to-do centre names the kind of each item by this label (通知公告).
        # Confirming that one has read a notice is personal: never delegated.
        register_work_kind(WORK_ITEM_KIND, _("Notices"), delegable=False)
