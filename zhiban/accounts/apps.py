from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhiban.accounts"
    verbose_name = _("Sign-in")

    def ready(self) -> None:
        from zhiban.accounts import signals

        signals.connect()
