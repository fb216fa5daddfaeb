"""The flow kind "vehicle" (用车申请) and the form fields it relies on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

KIND = "vehicle"

# The fields every vehicle-use flow carries (locked in the designer).
FIELDS: tuple[dict[str, Any], ...] = (
    {"key": "purpose", "type": "textarea", "label": "用车事由", "required": True},
    {
        "key": "window",
        "type": "datetimerange",
        "label": "用车时间",
        "required": True,
        "not_past": True,
    },
    {
        "key": "passengers",
        "type": "number",
        "label": "乘车人数",
        "required": True,
        "min": 1,
        "max": 60,
        "decimals": 0,
    },
    {
        "key": "passenger_names",
        "type": "text",
        "label": "乘车人员",
        "required": False,
        "max_length": 200,
    },
    {
        "key": "destination",
        "type": "text",
        "label": "目的地",
        "required": True,
        "max_length": 200,
    },
    {
        "key": "departure",
        "type": "text",
        "label": "出发地点",
        "required": False,
        "max_length": 200,
    },
)


def register() -> None:
    """Register the flow kind; called from VehiclesConfig.ready()."""
    from zhiban.vehicles.services import vehicle_outcome
    from zhiban.workflow.kinds import FlowKind, register_flow_kind

    register_flow_kind(
        FlowKind(
            code=KIND,
            label=gettext_lazy("Vehicle use"),
            fields=FIELDS,
            on_outcome=vehicle_outcome,
            detail_template="vehicles/_instance_vehicle_request.html",
        )
    )
