"""The default seal-use flow (用印申请), created by this app's data migration.

Department head (auto-pass when the department has none) → more than 10
copies: the office director of the unit; otherwise nothing more.
"""

from __future__ import annotations

from typing import Any

from zhiban.seals.kind import FIELDS
from zhiban.workflow.defaults import (
    DEPARTMENT_HEAD,
    approver_node,
    definition_body,
    ensure_flow,
)

CODE = "seal_use"
NAME = "用印申请"

BODY = definition_body(
    CODE,
    NAME,
    [
        DEPARTMENT_HEAD,
        {
            "type": "condition",
            "id": "c1",
            "name": "按用印份数",
            "branches": [
                {
                    "id": "b1",
                    "name": "超过10份",
                    "is_default": False,
                    "conditions": [{"field": "copies", "op": ">", "value": 10}],
                    "nodes": [
                        approver_node(
                            "n2",
                            "办公室主任审批",
                            {"kind": "role", "role": "office_director"},
                        )
                    ],
                },
                {
                    "id": "b2",
                    "name": "其他情况",
                    "is_default": True,
                    "conditions": [],
                    "nodes": [],
                },
            ],
        },
    ],
)
FORM: list[dict[str, Any]] = [dict(field) for field in FIELDS]
FLOW: dict[str, Any] = {
    "code": CODE,
    "name": NAME,
    "kind": "seal",
    "group": "行政事务",
    "description": "使用公章、合同专用章等印章：部门负责人审核，超过10份报办公室主任审批，审批后由印章保管人用印登记。",
    "body": BODY,
    "form": FORM,
}


def ensure_default_flow(flow_model: Any, version_model: Any) -> bool:
    """Create the default seal-use flow unless its code exists (idempotent)."""
    return ensure_flow(flow_model, version_model, **FLOW)
