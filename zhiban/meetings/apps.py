from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "zhiban.meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from zhiban.meetings.kind import register
        from zhiban.meetings.models import WORK_KIND
        from zhiban.org.work_kinds import register_work_kind

        register_work_kind(WORK_KIND, _("Meeting rooms"))
        register()
