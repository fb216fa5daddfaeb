from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "zhiban.documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from zhiban.documents.kind import register
        from zhiban.documents.models import (
            CIRCULATION_WORK_KIND,
            FOLLOW_UP_WORK_KIND,
            INCOMING_WORK_KIND,
            RECEIPT_WORK_KIND,
        )
        from zhiban.org.work_kinds import register_work_kind

        # A leader away may let a deputy read and sign for them (代阅).
        register_work_kind(CIRCULATION_WORK_KIND, _("Document circulation"))
        register_work_kind(INCOMING_WORK_KIND, _("Incoming document handling"))
        register_work_kind(RECEIPT_WORK_KIND, _("Signing for a document"))
        register_work_kind(FOLLOW_UP_WORK_KIND, _("Document effect follow-up"))
        register()
