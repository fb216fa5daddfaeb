from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhiban.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from zhiban.core import signals

        signals.connect()
