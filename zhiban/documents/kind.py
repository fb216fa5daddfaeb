"""The flow kind "document" (发文审批) and the form field type "document" it relies on.

A draft is submitted from its own page (``services.draft_submit``), never from the
apply page: the flow is not startable there. The default flow (``defaults.py``)
walks 部门审核 → 核稿 → 会签 → 签发 → 复核; administrators may change it in the
designer, keeping the locked fields below. The sign-off (签发) is the approval
given at a node whose id starts with ``sign`` (or, in a redesigned flow, whose
name contains 签发): its opinion, signer and date go on the document.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiban.documents.models import OUTGOING_FLOW_KIND, Document
from zhiban.org.models import User

FIELD_TYPE = "document"
# The choice that sends a draft to the principal leader (上行文 and important ones).
SIGNOFF_PRINCIPAL = "主要领导签发"
SIGNOFF_OVERSEEING = "分管领导签发"

FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "document", "type": FIELD_TYPE, "label": "文稿", "required": True},
    {
        "key": "signoff",
        "type": "choice",
        "label": "签发",
        "required": True,
        "options": [SIGNOFF_PRINCIPAL, SIGNOFF_OVERSEEING],
    },
    {
        "key": "countersigners",
        "type": "person",
        "label": "会签人",
        "required": False,
        "multiple": True,
        "help": "会签部门的负责人",
    },
)


def _choices(user: User | None) -> list[tuple[Any, str]]:
    if user is None:
        return []
    drafts = Document.objects.filter(
        created_by=user, state=Document.State.DRAFTING, direction="outgoing"
    ).order_by("-updated_at")[:50]
    return [(d.pk, d.title) for d in drafts]


def _validate(value: Any, user: User | None) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError(_("Choose one of your drafts."))
    document = Document.objects.filter(pk=int(text)).first()
    if document is None or user is None or document.created_by_id != user.pk:
        raise ValidationError(_("Only the drafter submits a draft."))
    return document.pk


def _display(value: Any) -> str:
    document = (
        Document.objects.filter(pk=value).only("title").first()
        if str(value).isdigit()
        else None
    )
    return document.title if document is not None else str(value)


def _viewers(user: User) -> Q:
    """Everyone who may see a draft may read its approvals."""
    from zhiban.documents.selectors import documents_visible_q

    visible = Document.objects.filter(documents_visible_q(user))
    return Q(document_approval__document__in=visible.values("pk"))


def register() -> None:
    """Register the field type and the flow kind; called from DocumentsConfig.ready()."""
    from zhiban.documents.services.drafting import approval_outcome
    from zhiban.workflow.formschema import register_field_type
    from zhiban.workflow.kinds import FlowKind, register_flow_kind

    register_field_type(
        FIELD_TYPE,
        label=gettext_lazy("Official document"),
        choices=_choices,
        validator=_validate,
        display=_display,
        icon="bi-file-earmark-text",
    )
    register_flow_kind(
        FlowKind(
            code=OUTGOING_FLOW_KIND,
            label=gettext_lazy("Outgoing document"),
            fields=FIELDS,
            on_outcome=approval_outcome,
            detail_template="documents/_instance_draft.html",
            viewers=_viewers,
        )
    )
