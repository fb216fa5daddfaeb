"""The flow kind "supervision_extension" (延期申请) and its field type "supervision_item".

A department asks for more time from the item's page (``services.extension_request``),
never from the apply page: the flow is not startable there. The default flow
(``defaults.EXTENSION_FLOW``) asks the item's supervision officer, then its assigning
leader; administrators may change it in the designer, keeping the locked fields below.
When it is approved, the outcome handler moves the completion date.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiban.org.models import User
from zhiban.supervision.models import EXTENSION_FLOW_KIND, SupervisionItem

FIELD_TYPE = "supervision_item"

FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "item", "type": FIELD_TYPE, "label": "督办事项", "required": True},
    {"key": "new_due", "type": "date", "label": "申请延期至", "required": True},
    {
        "key": "reason",
        "type": "textarea",
        "label": "延期理由",
        "required": True,
        "max_length": 2000,
    },
    {"key": "officer", "type": "person", "label": "督查专员", "required": True},
    {"key": "leader", "type": "person", "label": "交办领导", "required": True},
)


def _choices(user: User | None) -> list[tuple[Any, str]]:
    if user is None:
        return []
    from zhiban.supervision.selectors import visible_items

    items = visible_items(viewer=user).filter(
        state__in=(
            SupervisionItem.State.SIGNED,
            SupervisionItem.State.IN_PROGRESS,
            SupervisionItem.State.RETURNED,
        )
    )[:50]
    return [(item.pk, f"{item.number} {item.title}") for item in items]


def _validate(value: Any, user: User | None) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError(_("Choose a supervision item."))
    from zhiban.supervision.selectors import visible_items

    if user is None or not visible_items(viewer=user).filter(pk=int(text)).exists():
        raise ValidationError(_("Choose a supervision item."))
    return int(text)


def _display(value: Any) -> str:
    item = (
        SupervisionItem.objects.filter(pk=value)
        .only("title", "year", "sequence")
        .first()
        if str(value).isdigit()
        else None
    )
    return f"{item.number} {item.title}" if item is not None else str(value)


def _viewers(user: User) -> Q:
    """Everyone who may see the item may read its extension requests."""
    from zhiban.supervision.selectors import visible_items

    return Q(supervision_extension__item__in=visible_items(viewer=user).values("pk"))


def register() -> None:
    """Register the field type and the flow kind; called from SupervisionConfig.ready()."""
    from zhiban.supervision.services import extension_outcome
    from zhiban.workflow.formschema import register_field_type
    from zhiban.workflow.kinds import FlowKind, register_flow_kind

    register_field_type(
        FIELD_TYPE,
        label=gettext_lazy("Supervision item"),
        choices=_choices,
        validator=_validate,
        display=_display,
        icon="bi-flag",
    )
    register_flow_kind(
        FlowKind(
            code=EXTENSION_FLOW_KIND,
            label=gettext_lazy("Supervision extension"),
            fields=FIELDS,
            on_outcome=extension_outcome,
            detail_template="supervision/_instance_extension.html",
            viewers=_viewers,
        )
    )
