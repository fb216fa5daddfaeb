from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    name = "zhiban.vehicles"
    verbose_name = _("Vehicle use")

    def ready(self) -> None:
        from zhiban.vehicles.kind import register

        register()
