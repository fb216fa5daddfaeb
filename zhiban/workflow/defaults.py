"""Default flows, so that a fresh install can apply at once.

Each app that owns a kind of flow creates its defaults from a data migration
through :func:`ensure_flow`, with the migration's historical models (never the
services: a migration must keep working when the services change). A default is
created once, as a draft and as published version 1 (``published_by`` empty);
a flow with the code already there is left alone, so administrators' edits and
a second run change nothing.

The bodies are plain JSON (the engine's ``definition_to_dict`` format) and the
forms plain field lists, written out here rather than built from the engine's
classes, so that a migration keeps creating the same rows.
"""

from __future__ import annotations

import datetime
from typing import Any

# --- node builders (plain dicts) ----------------------------------------------------


def approver_node(
    node_id: str,
    name: str,
    assignees: dict[str, Any],
    *,
    mode: str = "sequential",
    when_empty: str = "auto_pass",
) -> dict[str, Any]:
    """Return an approver node as the engine stores it."""
    return {
        "type": "approver",
        "id": node_id,
        "name": name,
        "assignees": assignees,
        "mode": mode,
        "threshold": 0,
        "initiator_policy": "approve",
        "skip_same_as_previous": False,
        "when_empty": when_empty,
        "fallback_users": [],
        "return_policy": "rewalk",
        "timeout_minutes": 0,
        "on_timeout": "remind",
        "escalate_to": [],
    }


def definition_body(
    code: str, name: str, nodes: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return a definition body with the default settings."""
    return {
        "key": code,
        "name": name,
        "nodes": nodes,
        "cc": None,
        "cc_timing": "completion",
        "allow_withdraw_after_action": False,
        "allow_revoke": True,
        "urge_interval_seconds": 600,
    }


DEPARTMENT_HEAD = approver_node("n1", "部门负责人审批", {"kind": "department_head"})


# --- the general request types (请示 / 一般事项) -------------------------------------

GENERAL_FORM: list[dict[str, Any]] = [
    {
        "key": "subject",
        "type": "text",
        "label": "事项名称",
        "required": True,
        "max_length": 200,
    },
    {"key": "content", "type": "textarea", "label": "主要内容", "required": True},
    {
        "key": "attachment",
        "type": "attachment",
        "label": "附件",
        "required": False,
        "multiple": True,
    },
]


def _general_body(code: str, name: str) -> dict[str, Any]:
    return definition_body(
        code,
        name,
        [
            DEPARTMENT_HEAD,
            approver_node("n2", "分管领导审批", {"kind": "overseeing_leader"}),
        ],
    )


GENERAL_FLOWS: tuple[dict[str, Any], ...] = (
    {
        "code": "request",
        "name": "请示",
        "kind": "general",
        "group": "综合事务",
        "description": "向领导请示工作事项：部门负责人审核后报分管领导审批。",
        "body": _general_body("request", "请示"),
        "form": GENERAL_FORM,
    },
    {
        "code": "general",
        "name": "一般事项",
        "kind": "general",
        "group": "综合事务",
        "description": "其他需要审批的一般事项；管理员可复制它来建立新的审批类型。",
        "body": _general_body("general", "一般事项"),
        "form": GENERAL_FORM,
    },
)


def ensure_flow(
    flow_model: Any,
    version_model: Any,
    *,
    code: str,
    name: str,
    kind: str,
    group: str,
    description: str,
    body: dict[str, Any],
    form: list[dict[str, Any]],
    startable: bool = True,
    now: datetime.datetime | None = None,
) -> bool:
    """Create the flow (draft and published version 1) unless its code exists.

    ``flow_model``/``version_model`` are FlowDefinition and FlowVersion, the
    historical ones in a migration. Return whether anything was created.
    """
    from django.utils import timezone

    at = now or timezone.now()
    flow = flow_model.objects.filter(code=code).first()
    created = False
    if flow is None:
        flow = flow_model.objects.create(
            code=code,
            name=name,
            kind=kind,
            group=group,
            description=description,
            startable=startable,
            draft={"definition": dict(body), "form": [dict(f) for f in form]},
            draft_updated_at=at,
            is_active=True,
        )
        created = True
    if not version_model.objects.filter(definition=flow).exists():
        version_model.objects.create(
            definition=flow,
            number=1,
            body=dict(body),
            form_schema=[dict(f) for f in form],
            published_at=at,
            published_by=None,
        )
        created = True
    return created


def ensure_general_flows(flow_model: Any, version_model: Any) -> int:
    """Create the general request types that are missing; return how many."""
    return sum(ensure_flow(flow_model, version_model, **spec) for spec in GENERAL_FLOWS)
