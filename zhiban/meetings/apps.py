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
        from zhiban.meetings.models import Decision
        from zhiban.meetings.selectors import decision_source_link
        from zhiban.supervision.links import register_source_link

        # An item made from a decision links back to its meeting.
        register_source_link(Decision, decision_source_link)
