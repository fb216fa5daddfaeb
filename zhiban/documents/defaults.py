"""The default outgoing flow (发文审批) and draft templates, made by data migrations.

部门审核 (the drafter's department head) → 核稿 (the office director, any one) →
会签 (the heads of the departments the drafter named, all of them; passes when
none) → 签发 (the principal leader for 上行文 and important documents, else the
leader who oversees the department; with nobody to sign, the principal leader
signs) → 复核 (a document clerk of the unit, any one).
"""

from __future__ import annotations

from typing import Any

from zhiban.documents.kind import FIELDS, SIGNOFF_PRINCIPAL
from zhiban.workflow.defaults import (
    DEPARTMENT_HEAD,
    approver_node,
    definition_body,
    ensure_flow,
)

CODE = "document_outgoing"
NAME = "发文审批"


def _sign(node_id: str, name: str, assignees: dict[str, Any]) -> dict[str, Any]:
    node = approver_node(node_id, name, assignees)
    node["initiator_policy"] = "approve"
    return node


BODY = definition_body(
    CODE,
    NAME,
    [
        {**DEPARTMENT_HEAD, "name": "部门审核"},
        approver_node(
            "n2", "核稿", {"kind": "role", "role": "office_director"}, mode="any"
        ),
        approver_node(
            "n3",
            "会签",
            {"kind": "form_field", "field": "countersigners"},
            mode="all",
        ),
        {
            "type": "condition",
            "id": "c1",
            "name": "签发人",
            "branches": [
                {
                    "id": "b1",
                    "name": "上行文或重要文件",
                    "is_default": False,
                    "conditions": [
                        {"field": "signoff", "op": "==", "value": SIGNOFF_PRINCIPAL}
                    ],
                    "nodes": [
                        _sign(
                            "sign_principal",
                            "主要领导签发",
                            {"kind": "role", "role": "principal_leader"},
                        )
                    ],
                },
                {
                    "id": "b2",
                    "name": "其他文件",
                    "is_default": True,
                    "conditions": [],
                    "nodes": [
                        _sign(
                            "sign_overseeing",
                            "分管领导签发",
                            {"kind": "overseeing_leader"},
                        )
                    ],
                },
            ],
        },
        approver_node("n5", "复核", {"kind": "role", "role": "clerk"}, mode="any"),
    ],
)
# A signed document is numbered and issued: it is not revoked through the engine.
BODY["allow_revoke"] = False
FORM: list[dict[str, Any]] = [dict(field) for field in FIELDS]
FLOW: dict[str, Any] = {
    "code": CODE,
    "name": NAME,
    "kind": "document",
    "group": "公文",
    "description": "发文拟稿送审：部门审核、办公室核稿、相关部门会签、领导签发、复核，之后编号、印制、核发。",
    "body": BODY,
    "form": FORM,
    "startable": False,
}


def ensure_default_flow(flow_model: Any, version_model: Any) -> bool:
    """Create the default outgoing flow unless its code exists (idempotent)."""
    return ensure_flow(flow_model, version_model, **FLOW)


# Starting texts per document type (公文模板); ×× marks what the drafter replaces.
TEMPLATES: tuple[dict[str, str], ...] = (
    {
        "document_type": "notice",
        "name": "通知（部署工作）",
        "title": "关于××××的通知",
        "main_recipients": "各部门，各单位",
        "body": "为××××，根据××××，现将有关事项通知如下：\n"
        "一、工作目标\n××××。\n二、主要任务\n××××。\n三、工作要求\n××××。\n"
        "请各部门、各单位认真贯彻执行。",
    },
    {
        "document_type": "request",
        "name": "请示（一文一事）",
        "title": "关于××××的请示",
        "main_recipients": "××××",
        "body": "××××（请示的缘由）。\n××××（请示的事项）。\n妥否，请批示。",
    },
    {
        "document_type": "report",
        "name": "报告（工作情况）",
        "title": "关于××××情况的报告",
        "main_recipients": "××××",
        "body": "现将××××情况报告如下：\n一、基本情况\n××××。\n"
        "二、主要做法和成效\n××××。\n三、存在的问题\n××××。\n四、下一步工作打算\n××××。\n特此报告。",
    },
    {
        "document_type": "letter",
        "name": "函（商洽工作）",
        "title": "关于××××的函",
        "main_recipients": "××××",
        "body": "××××（发函的缘由）。\n××××（商洽或询问的事项）。\n请予研究函复。",
    },
    {
        "document_type": "minutes",
        "name": "会议纪要",
        "title": "××××会议纪要",
        "main_recipients": "",
        "body": "××××年××月××日，××××在××××主持召开××××会议，研究××××。现纪要如下：\n"
        "一、××××\n××××。\n二、××××\n××××。",
    },
    {
        "document_type": "decision",
        "name": "决定",
        "title": "关于××××的决定",
        "main_recipients": "各部门，各单位",
        "body": "为××××，经研究，决定：\n一、××××。\n二、××××。\n本决定自印发之日起施行。",
    },
    {
        "document_type": "circular",
        "name": "通报",
        "title": "关于××××的通报",
        "main_recipients": "各部门，各单位",
        "body": "××××（事实经过）。\n××××（分析与结论）。\n××××（要求）。",
    },
)


def ensure_templates(template_model: Any) -> int:
    """Create the shipped templates whose name is missing; return how many."""
    made = 0
    for spec in TEMPLATES:
        if not template_model.objects.filter(
            name=spec["name"], unit__isnull=True
        ).exists():
            template_model.objects.create(**spec)
            made += 1
    return made
