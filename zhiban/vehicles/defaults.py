"""The default vehicle-use flow (用车申请), created by this app's data migration.

Department head (auto-pass when the department has none) → the unit's fleet
managers, any one of them (或签).
"""

from __future__ import annotations

from typing import Any

from zhiban.vehicles.kind import FIELDS
from zhiban.workflow.defaults import (
    DEPARTMENT_HEAD,
    approver_node,
    definition_body,
    ensure_flow,
)

CODE = "vehicle_use"
NAME = "用车申请"

BODY = definition_body(
    CODE,
    NAME,
    [
        DEPARTMENT_HEAD,
        approver_node(
            "n2",
            "车辆管理员审批",
            {"kind": "role", "role": "fleet_manager"},
            mode="any",
        ),
    ],
)
FORM: list[dict[str, Any]] = [dict(field) for field in FIELDS]
FLOW: dict[str, Any] = {
    "code": CODE,
    "name": NAME,
    "kind": "vehicle",
    "group": "行政事务",
    "description": "公务用车：部门负责人审核后由车辆管理员审批，审批通过后等待派车。",
    "body": BODY,
    "form": FORM,
}


def ensure_default_flow(flow_model: Any, version_model: Any) -> bool:
    """Create the default vehicle-use flow unless its code exists (idempotent)."""
    return ensure_flow(flow_model, version_model, **FLOW)
