"""The flow kind "seal" (用印申请) and the form field type "seal" it relies on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiban.org.models import User
from zhiban.seals.models import Seal

KIND = "seal"
FIELD_TYPE = "seal"

# The fields every seal-use flow carries (locked in the designer). Labels are the
# Chinese the default form shows; a flow may relabel them, not change their rules.
FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "seal", "type": FIELD_TYPE, "label": "印章", "required": True},
    {
        "key": "document_title",
        "type": "text",
        "label": "文件名称",
        "required": True,
        "max_length": 200,
    },
    {
        "key": "copies",
        "type": "number",
        "label": "用印份数",
        "required": True,
        "min": 1,
        "max": 1000,
        "decimals": 0,
    },
    {"key": "purpose", "type": "textarea", "label": "用印事由", "required": True},
    {
        "key": "attachment",
        "type": "attachment",
        "label": "用印文件",
        "required": True,
        "multiple": True,
        "help": "需盖章的文件",
    },
)


def _choices(user: User | None) -> list[tuple[Any, str]]:
    from zhiban.seals.selectors import seal_choices_for

    return list(seal_choices_for(user))


def _validate(value: Any, user: User | None) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError(_("Choose a seal from the list."))
    allowed = {pk for pk, _label in _choices(user)}
    if int(text) not in allowed:
        raise ValidationError(_("This seal is not available to you."))
    return int(text)


def _display(value: Any) -> str:
    from zhiban.seals.selectors import seal_label

    seal = (
        Seal.objects.select_related("unit").filter(pk=value).first()
        if str(value).isdigit()
        else None
    )
    return seal_label(seal) if seal is not None else str(value)


def _viewers(user: User) -> Q:
    from zhiban.seals.selectors import instances_visible_q

    return instances_visible_q(user)


def register() -> None:
    """Register the field type and the flow kind; called from SealsConfig.ready()."""
    from zhiban.seals.services import seal_outcome
    from zhiban.workflow.formschema import register_field_type
    from zhiban.workflow.kinds import FlowKind, register_flow_kind

    register_field_type(
        FIELD_TYPE,
        label=gettext_lazy("Seal"),
        choices=_choices,
        validator=_validate,
        display=_display,
        icon="bi-patch-check",
    )
    register_flow_kind(
        FlowKind(
            code=KIND,
            label=gettext_lazy("Seal use"),
            fields=FIELDS,
            on_outcome=seal_outcome,
            detail_template="seals/_instance_seal_use.html",
            viewers=_viewers,
        )
    )
