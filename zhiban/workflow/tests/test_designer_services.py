"""The designer's services: drafts, settings, validation, publishing and copies."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.org.models import Role, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
from zhiban.workflow import engine, services
from zhiban.workflow.models import FlowDefinition, FlowInstance, FlowVersion
from zhiban.workflow.tests.conftest import approver

COPIES = {"key": "copies", "type": "number", "label": "份数", "required": True}
REVIEWER = {"key": "reviewer", "type": "person", "label": "审核人"}
SEAL = {
    "key": "seal",
    "type": "choice",
    "label": "印章",
    "options": ["公章", "合同专用章"],
}


def set_form(flow: FlowDefinition, *fields: dict[str, Any]) -> FlowDefinition:
    """Give the flow's draft a form (the forms helper's page does this for real)."""
    draft = services.flow_draft_of(definition=flow)
    draft["form"] = [dict(f) for f in fields]
    FlowDefinition.objects.filter(pk=flow.pk).update(draft=draft)
    flow.refresh_from_db()
    return flow


def seal_tree(code: str = "seal") -> dict[str, Any]:
    """Department head, then copies > 10 → office director, else nothing."""
    return {
        "key": code,
        "name": "用印申请",
        "nodes": [
            {
                "type": "approver",
                "id": "n1",
                "name": "部门负责人",
                "assignees": {"kind": "department_head"},
            },
            {
                "type": "condition",
                "id": "n2",
                "name": "份数",
                "branches": [
                    {
                        "id": "b1",
                        "name": "超过10份",
                        "conditions": [{"field": "copies", "op": ">", "value": 10}],
                        "nodes": [
                            {
                                "type": "approver",
                                "id": "n3",
                                "name": "办公室主任",
                                "assignees": {
                                    "kind": "role",
                                    "role": Role.OFFICE_DIRECTOR.value,
                                },
                            }
                        ],
                    },
                    {"id": "b2", "name": "其他", "is_default": True, "nodes": []},
                ],
            },
        ],
    }


@pytest.fixture
def org(db: Any) -> dict[str, User]:
    """An employee whose department has a head, and an office director, one unit."""
    hq = UnitFactory(code="HQ", name="集团本部")
    production = DepartmentFactory(unit=hq, code="PROD", name="生产技术部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    head = UserFactory(username="head", name="张主任", primary_department=production)
    from zhiban.org import services as org_services

    admin = UserFactory(username="root", roles=[Role.SYSTEM_ADMIN])
    org_services.membership_set(
        by=admin, user=head, department=production, is_head=True
    )
    return {
        "admin": admin,
        "head": head,
        "employee": UserFactory(
            username="emp", name="李员工", primary_department=production
        ),
        "director": UserFactory(
            username="dir",
            name="王主任",
            primary_department=office,
            roles=[Role.OFFICE_DIRECTOR],
        ),
    }


@pytest.fixture
def flow(org: dict[str, User]) -> FlowDefinition:
    """A new seal-use flow with the copies field on its form."""
    created = services.flow_create(code="seal", name="用印申请", by=org["admin"])
    return set_form(created, COPIES, SEAL, REVIEWER)


def test_create_starts_with_a_department_head_draft(org: dict[str, User]) -> None:
    flow = services.flow_create(code="req", name="请示", by=org["admin"], group="综合")
    draft = flow.draft
    assert flow.group == "综合"
    assert flow.kind == "general"
    assert [n["assignees"]["kind"] for n in draft["definition"]["nodes"]] == [
        "department_head"
    ]
    assert draft["definition"]["key"] == "req"
    assert draft["form"] == []
    assert engine.validate(engine.definition_from_dict(draft["definition"])) == []


def test_draft_save_stores_the_tree_with_its_problems(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    tree = seal_tree()
    tree["nodes"][0]["assignees"] = {"kind": "users"}  # no approver: a problem
    services.flow_draft_save(definition=flow, body=tree, by=org["admin"])
    flow.refresh_from_db()
    assert flow.draft["definition"]["nodes"][1]["branches"][0]["id"] == "b1"
    assert flow.draft["form"][0]["key"] == "copies"  # the form is kept
    assert flow.draft_updated_at is not None
    assert flow.versions.count() == 0
    assert AuditEntry.objects.filter(action="workflow.flow_draft_save").count() == 1
    problems = services.flow_validate(definition=flow)
    assert [(p.node_id, p.code) for p in problems] == [("n1", "missing_approvers")]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("not a dict", "must be a JSON object"),
        ({"nodes": [{"type": "robot", "id": "x"}]}, "unknown node type"),
        ({"nodes": [{"type": "approver", "id": "x"}]}, "malformed"),
        ({"nodes": [{"type": "approver", "id": "x", "assignees": {"kind": "x"}}]}, "x"),
        (
            {
                "nodes": [
                    {
                        "type": "approver",
                        "id": "x",
                        "assignees": {"kind": "role"},
                        "mode": "whatever",
                    }
                ]
            },
            "whatever",
        ),
        ({"nodes": "n1"}, "malformed"),
    ],
)
def test_malformed_draft_is_refused_and_nothing_changes(
    flow: FlowDefinition, org: dict[str, User], body: Any, match: str
) -> None:
    before = flow.draft
    with pytest.raises(DomainError, match=match):
        services.flow_draft_save(definition=flow, body=body, by=org["admin"])
    flow.refresh_from_db()
    assert flow.draft == before


def test_validate_names_the_branch_of_a_condition_on_an_unknown_field(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    tree = seal_tree()
    tree["nodes"][1]["branches"][0]["conditions"] = [
        {"field": "pages", "op": ">", "value": 10},
    ]
    services.flow_draft_save(definition=flow, body=tree, by=org["admin"])
    problems = services.flow_validate(definition=flow)
    assert [(p.node_id, p.code) for p in problems] == [("b1", "unknown_field")]
    assert "pages" in problems[0].message


@pytest.mark.parametrize(
    ("condition", "fits"),
    [
        ({"field": "copies", "op": ">", "value": 10}, True),
        ({"field": "copies", "op": ">", "value": "10"}, True),
        ({"field": "copies", "op": ">", "value": "ten"}, False),
        ({"field": "copies", "op": "in", "value": [1, "x"]}, False),
        ({"field": "seal", "op": "==", "value": "公章"}, True),
        ({"field": "seal", "op": "==", "value": "党委章"}, False),
        ({"field": "seal", "op": ">", "value": "公章"}, False),
        ({"field": "seal", "op": "in", "value": ["公章", "合同专用章"]}, True),
        ({"field": "reviewer", "op": "contains", "value": "1"}, False),
    ],
)
def test_condition_values_must_fit_the_field_type(
    flow: FlowDefinition,
    org: dict[str, User],
    condition: dict[str, Any],
    fits: bool,
) -> None:
    tree = seal_tree()
    tree["nodes"][1]["branches"][0]["conditions"] = [condition]
    services.flow_draft_save(definition=flow, body=tree, by=org["admin"])
    problems = services.flow_validate(definition=flow)
    assert [(p.node_id, p.code) for p in problems] == (
        [] if fits else [("b1", "bad_condition_value")]
    )


@pytest.mark.parametrize(
    ("field", "code"),
    [("reviewer", None), ("copies", "not_a_person_field"), ("nope", "unknown_field")],
)
def test_form_field_approvers_must_point_at_a_person_field(
    flow: FlowDefinition, org: dict[str, User], field: str, code: str | None
) -> None:
    tree = seal_tree()
    tree["nodes"][0]["assignees"] = {"kind": "form_field", "field": field}
    services.flow_draft_save(definition=flow, body=tree, by=org["admin"])
    problems = services.flow_validate(definition=flow)
    assert [(p.node_id, p.code) for p in problems] == ([("n1", code)] if code else [])


def test_publish_draft_makes_a_version_with_the_form(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    services.flow_draft_save(definition=flow, body=seal_tree(), by=org["admin"])
    version = services.flow_publish_draft(definition=flow, by=org["admin"])
    assert version.number == 1
    assert version.form_schema == [COPIES, SEAL, REVIEWER]
    assert version.body["nodes"][1]["branches"][0]["conditions"] == [
        {"field": "copies", "op": ">", "value": 10}
    ]
    assert version.published_by == org["admin"]


def test_publish_draft_refuses_with_every_problem_and_its_node(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    tree = seal_tree()
    tree["nodes"][0]["assignees"] = {"kind": "role"}
    tree["nodes"][1]["branches"][0]["conditions"] = []
    services.flow_draft_save(definition=flow, body=tree, by=org["admin"])
    with pytest.raises(DomainError) as caught:
        services.flow_publish_draft(definition=flow, by=org["admin"])
    messages = caught.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Node “n1”")
    assert messages[1].startswith("Node “b1”")
    assert FlowVersion.objects.count() == 0


def test_a_running_instance_keeps_its_version_after_a_new_publication(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    services.flow_draft_save(definition=flow, body=seal_tree(), by=org["admin"])
    first = services.flow_publish_draft(definition=flow, by=org["admin"])
    instance = services.instance_start(
        flow_code="seal", form={"copies": 12}, by=org["employee"]
    )
    tree = seal_tree()
    tree["nodes"] = tree["nodes"][:1]  # the condition goes away in version 2
    services.flow_draft_save(definition=flow, body=tree, by=org["admin"])
    second = services.flow_publish_draft(definition=flow, by=org["admin"])
    assert second.number == 2
    head_task = instance.tasks.get()
    instance = services.instance_act(
        instance_id=instance.pk, kind="approve", by=org["head"], task_id=head_task.pk
    )
    assert instance.version == first
    # Version 1's condition still applies: the office director is asked next.
    assert instance.current_nodes == ["n3"]
    assert instance.tasks.filter(state="open").get().assignee == org["director"]
    later = services.instance_start(
        flow_code="seal", form={"copies": 12}, by=org["employee"]
    )
    assert later.version == second


def test_copy_takes_the_draft_kind_and_form_and_is_not_published(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    services.flow_draft_save(definition=flow, body=seal_tree(), by=org["admin"])
    copy = services.flow_copy(
        source=flow, code="seal-branch", name="分公司用印", by=org["admin"]
    )
    assert copy.copied_from == flow
    assert copy.kind == flow.kind
    assert copy.versions.count() == 0
    assert copy.draft["definition"]["key"] == "seal-branch"
    assert copy.draft["definition"]["name"] == "分公司用印"
    assert copy.draft["definition"]["nodes"] == flow.draft["definition"]["nodes"]
    assert copy.draft["form"] == flow.draft["form"]
    assert services.flow_validate(definition=copy) == []


def test_copy_of_a_published_flow_without_draft_takes_its_latest_version(
    org: dict[str, User],
) -> None:
    source = services.flow_create(code="old", name="旧流程", by=org["admin"])
    services.flow_publish(
        definition=source,
        body={"key": "old", "name": "旧流程", "nodes": [approver("a", org["head"])]},
        by=org["admin"],
        form_schema=[COPIES],
    )
    FlowDefinition.objects.filter(pk=source.pk).update(draft={})
    source.refresh_from_db()
    copy = services.flow_copy(source=source, code="new", name="新流程", by=org["admin"])
    assert copy.draft["definition"]["nodes"][0]["id"] == "a"
    assert copy.draft["form"] == [COPIES]


def test_copy_refuses_a_taken_code(flow: FlowDefinition, org: dict[str, User]) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        services.flow_copy(source=flow, code="seal", name="重复", by=org["admin"])
    assert FlowDefinition.objects.count() == 1


def test_settings_go_to_the_flow_and_its_draft_definition(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    department = org["head"].primary_department
    services.flow_settings_save(
        definition=flow,
        by=org["admin"],
        name="用印申请（新）",
        group="行政",
        description="说明",
        startable=False,
        starter_departments=[department],
        cc={"kind": "role", "role": Role.OFFICE_DIRECTOR.value},
        cc_timing="both",
        allow_withdraw_after_action=True,
        allow_revoke=True,
        urge_interval_seconds=300,
    )
    flow.refresh_from_db()
    assert (flow.name, flow.group, flow.startable) == ("用印申请（新）", "行政", False)
    assert list(flow.starter_departments.all()) == [department]
    body = flow.draft["definition"]
    parsed = engine.definition_from_dict(body)
    assert parsed.cc == engine.Assignees(
        kind=engine.AssigneeKind.ROLE, role=Role.OFFICE_DIRECTOR.value
    )
    assert parsed.cc_timing is engine.CcTiming.BOTH
    assert parsed.allow_withdraw_after_action is True
    assert parsed.allow_revoke is True
    assert parsed.urge_interval_seconds == 300
    assert parsed.nodes[0].id == "n1"  # the tree is untouched


def test_settings_refuse_a_negative_urge_interval(
    flow: FlowDefinition, org: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="negative"):
        services.flow_settings_save(
            definition=flow, by=org["admin"], name="x", urge_interval_seconds=-1
        )
    flow.refresh_from_db()
    assert flow.name == "用印申请"


@pytest.mark.parametrize(
    ("copies", "path"),
    [(12, ["start", "n1", "n2", "n3", "end"]), (3, ["start", "n1", "n2", "end"])],
)
def test_dry_run_takes_the_branch_the_sample_values_choose(
    flow: FlowDefinition, org: dict[str, User], copies: int, path: list[str]
) -> None:
    services.flow_draft_save(definition=flow, body=seal_tree(), by=org["admin"])
    result = services.flow_dry_run(
        definition=flow, form={"copies": str(copies)}, initiator=org["employee"]
    )
    assert [step.node_id for step in result.steps] == path
    head_step = result.steps[1]
    assert head_step.approvers == ((str(org["head"].pk), "部门负责人：生产技术部"),)
    assert FlowInstance.objects.count() == 0
