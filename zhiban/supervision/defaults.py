"""The clock profiles Zhiban ships, created by this app's data migration.

"13710" follows the Shanxi explanation (reference/standards.md §5.1): day 1 arrange,
day 3 report the plan and progress, day 7 apply for completion of a general item, one
month for a major or complex item (or a timetable in the plan), and every item closed
in the end; "10" is not ten days. Whether Henan counts working or calendar days is
unconfirmed: both profiles count working days, and an administrator can change that.
The 1-3-7-10 variant is the reading many sites give: ten working days for a major item.
"""

from __future__ import annotations

from typing import Any

LADDER: list[dict[str, Any]] = [
    {"rung": "handler", "light": "yellow", "after_days": 0},
    {"rung": "head", "light": "red", "after_days": 0},
    {"rung": "leader", "light": "red", "after_days": 2},
]

PROFILES: list[dict[str, Any]] = [
    {
        "code": "13710",
        "name": "13710",
        "description": (
            "1日内研究部署，3日内反馈方案和进展，一般事项7日内申请办结，"
            "重大复杂事项1个月内办结（确需更长时间的报送时间表），件件有着落、销号清零。"
        ),
        "day_basis": "working",
        "yellow_days": 1,
        "sort_order": 1,
        "nodes": [
            {"key": "arrange", "label": "研究部署", "step": "sign", "days": 1},
            {"key": "report", "label": "反馈方案和进展", "step": "plan", "days": 3},
            {
                "key": "complete",
                "label": "一般事项申请办结",
                "step": "complete",
                "days": 7,
                "types": ["general"],
            },
            {
                "key": "complete_major",
                "label": "重大复杂事项办结",
                "step": "complete",
                "months": 1,
                "types": ["major"],
            },
        ],
        "ladder": LADDER,
    },
    {
        "code": "1-3-7-10",
        "name": "1-3-7-10 工作日",
        "description": "1个工作日部署，3个工作日反馈，一般事项7个工作日、重大事项10个工作日申请办结。",
        "day_basis": "working",
        "yellow_days": 1,
        "sort_order": 2,
        "nodes": [
            {"key": "arrange", "label": "研究部署", "step": "sign", "days": 1},
            {"key": "report", "label": "反馈进展", "step": "plan", "days": 3},
            {
                "key": "complete",
                "label": "一般事项申请办结",
                "step": "complete",
                "days": 7,
                "types": ["general"],
            },
            {
                "key": "complete_major",
                "label": "重大事项申请办结",
                "step": "complete",
                "days": 10,
                "types": ["major"],
            },
        ],
        "ladder": LADDER,
    },
]


def ensure_profiles(profile_model: Any) -> int:
    """Create the shipped profiles whose code is missing; return how many were made."""
    made = 0
    for profile in PROFILES:
        _obj, created = profile_model.objects.get_or_create(
            code=profile["code"],
            defaults={key: value for key, value in profile.items() if key != "code"},
        )
        made += created
    return made


def extension_flow() -> dict[str, Any]:
    """The default extension flow: the item's officer, then its assigning leader."""
    from zhiban.supervision.kind import FIELDS
    from zhiban.supervision.models import EXTENSION_FLOW_CODE, EXTENSION_FLOW_KIND
    from zhiban.workflow.defaults import approver_node, definition_body

    name = "督办事项延期申请"
    body = definition_body(
        EXTENSION_FLOW_CODE,
        name,
        [
            approver_node(
                "n1", "督查专员审核", {"kind": "form_field", "field": "officer"}
            ),
            approver_node(
                "n2", "交办领导审批", {"kind": "form_field", "field": "leader"}
            ),
        ],
    )
    body["allow_revoke"] = False
    return {
        "code": EXTENSION_FLOW_CODE,
        "name": name,
        "kind": EXTENSION_FLOW_KIND,
        "group": "督查督办",
        "description": "督办事项不能按期办结的，由主办部门申请延期，经督查专员审核、交办领导批准后调整办结时限。",
        "body": body,
        "form": [dict(field) for field in FIELDS],
        "startable": False,
    }


def ensure_extension_flow(flow_model: Any, version_model: Any) -> bool:
    """Create the default extension flow unless its code exists (idempotent)."""
    from zhiban.workflow.defaults import ensure_flow

    return ensure_flow(flow_model, version_model, **extension_flow())
