"""What a fresh install has: the equipment list and the booking approval flow.

Both are created by this app's data migration (historical models), once; an
administrator's later edits are left alone.
"""

from __future__ import annotations

from typing import Any

# (code, name, icon), in the order the pages list them.
EQUIPMENT: tuple[tuple[str, str, str], ...] = (
    ("projector", "投影仪", "bi-projector"),
    ("screen", "大屏显示", "bi-display"),
    ("video", "视频会议", "bi-camera-video"),
    ("microphone", "话筒音响", "bi-mic"),
    ("whiteboard", "白板", "bi-easel"),
    ("recording", "录音录像", "bi-record-circle"),
    ("nameplates", "桌签", "bi-card-text"),
)


def ensure_equipment(equipment_model: Any) -> int:
    """Create the equipment kinds whose code is missing; return how many were made."""
    made = 0
    for order, (code, name, icon) in enumerate(EQUIPMENT, start=1):
        _row, created = equipment_model.objects.get_or_create(
            code=code, defaults={"name": name, "icon": icon, "sort_order": order}
        )
        made += created
    return made


def booking_flow() -> dict[str, Any]:
    """The default booking approval: the room's manager decides."""
    from zhiban.meetings.kind import FIELDS
    from zhiban.meetings.models import BOOKING_FLOW_CODE, BOOKING_FLOW_KIND
    from zhiban.workflow.defaults import approver_node, definition_body

    name = "会议室预订审批"
    body = definition_body(
        BOOKING_FLOW_CODE,
        name,
        [
            approver_node(
                "n1", "会议室管理员审批", {"kind": "form_field", "field": "manager"}
            )
        ],
    )
    return {
        "code": BOOKING_FLOW_CODE,
        "name": name,
        "kind": BOOKING_FLOW_KIND,
        "group": "行政事务",
        "description": "预订需要审批的会议室：会议室管理员审批通过后预订生效，不同意则释放会议室。",
        "body": body,
        "form": [dict(field) for field in FIELDS],
        "startable": False,
    }


def ensure_booking_flow(flow_model: Any, version_model: Any) -> bool:
    """Create the default booking flow unless its code exists (idempotent)."""
    from zhiban.workflow.defaults import ensure_flow

    return ensure_flow(flow_model, version_model, **booking_flow())
