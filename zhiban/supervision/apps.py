from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "zhiban.supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from zhiban.documents.extensions import register_instruction_action
        from zhiban.org.work_kinds import register_work_kind
        from zhiban.supervision.kind import register
        from zhiban.supervision.links import instruction_actions
        from zhiban.supervision.models import WORK_KIND

        register_work_kind(WORK_KIND, _("Supervision items"))
        register_instruction_action(instruction_actions)
        register()
