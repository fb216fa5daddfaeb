"""The flow kind "meeting_room_booking" (会议室预订审批) and the fields it relies on.

A booking of a room that needs approval starts this flow from the booking page
(``services.booking_create``), never from the apply page: the flow is not
startable there. The default flow (``defaults.BOOKING_FLOW``) asks the room's
manager; administrators may change it in the designer, keeping the locked fields
below. Approval confirms the booking, rejection or withdrawal releases the room.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from zhiban.meetings.models import BOOKING_FLOW_KIND

FIELDS: tuple[dict[str, Any], ...] = (
    {
        "key": "room",
        "type": "text",
        "label": "会议室",
        "required": True,
        "max_length": 200,
    },
    {
        "key": "title",
        "type": "text",
        "label": "会议名称",
        "required": True,
        "max_length": 200,
    },
    {"key": "window", "type": "datetimerange", "label": "使用时间", "required": True},
    {
        "key": "occurrences",
        "type": "number",
        "label": "预订次数",
        "required": True,
        "min": 1,
        "max": 200,
        "decimals": 0,
    },
    {
        "key": "attendees",
        "type": "number",
        "label": "参会人数",
        "required": True,
        "min": 1,
        "max": 10000,
        "decimals": 0,
    },
    {"key": "manager", "type": "person", "label": "会议室管理员", "required": False},
)


def _viewers(user: Any) -> Q:
    """The room's manager reads the approvals of its bookings."""
    return Q(meeting_bookings__room__manager=user)


def register() -> None:
    """Register the flow kind; called from MeetingsConfig.ready()."""
    from zhiban.meetings.services import booking_outcome
    from zhiban.workflow.kinds import FlowKind, register_flow_kind

    register_flow_kind(
        FlowKind(
            code=BOOKING_FLOW_KIND,
            label=gettext_lazy("Meeting room booking"),
            fields=FIELDS,
            on_outcome=booking_outcome,
            detail_template="meetings/_instance_booking.html",
            viewers=_viewers,
        )
    )
