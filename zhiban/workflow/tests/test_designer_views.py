"""Flow administration pages and the designer's JSON endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiban.org.models import Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.workflow import services
from zhiban.workflow.models import FlowDefinition, FlowVersion
from zhiban.workflow.tests.test_designer_services import (
    COPIES,
    seal_tree,
    set_form,
)


@pytest.fixture
def designer(db: Any) -> User:
    """A system administrator who reads English (the messages asserted on)."""
    return UserFactory(username="designer", roles=[Role.SYSTEM_ADMIN], language="en")


@pytest.fixture
def flow(designer: User) -> FlowDefinition:
    """A seal-use flow with the copies field."""
    created = services.flow_create(code="seal", name="用印申请", by=designer)
    return set_form(created, COPIES)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, name: str, code: str, payload: Any) -> Any:
    return client.post(
        reverse(name, args=[code]),
        data=payload if isinstance(payload, str | bytes) else json.dumps(payload),
        content_type="application/json",
    )


PAGES = [
    ("workflow:flow_settings", "get"),
    ("workflow:flow_design", "get"),
    ("workflow:flow_versions", "get"),
    ("workflow:flow_copy", "get"),
    ("workflow:flow_design_save", "post"),
    ("workflow:flow_design_validate", "post"),
    ("workflow:flow_design_dry_run", "post"),
    ("workflow:flow_design_publish", "post"),
    ("workflow:flow_active", "post"),
]


@pytest.mark.parametrize(("name", "method"), PAGES)
@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.OFFICE_DIRECTOR])
def test_non_designers_get_403_and_nothing_changes(
    flow: FlowDefinition, name: str, method: str, role: Role
) -> None:
    client = signed_in(UserFactory(roles=[role]))
    before = (flow.draft, flow.is_active)
    url = reverse(name, args=[flow.code])
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(
            url,
            data=json.dumps({"definition": seal_tree()}),
            content_type="application/json",
        )
    assert response.status_code == 403
    flow.refresh_from_db()
    assert (flow.draft, flow.is_active) == before
    assert FlowVersion.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["workflow:flow_list", "workflow:flow_create", "workflow:flow_people"]
)
def test_non_designers_get_403_on_the_list_pages(db: Any, name: str) -> None:
    client = signed_in(UserFactory(roles=[Role.EMPLOYEE]))
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_sign_in(flow: FlowDefinition) -> None:
    response = Client().get(reverse("workflow:flow_design", args=[flow.code]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_unknown_flow_is_404(designer: User, name: str, method: str) -> None:
    client = signed_in(designer)
    url = reverse(name, args=["nope"])
    response = client.get(url) if method == "get" else client.post(url)
    assert response.status_code == 404


def test_list_shows_flows_with_version_draft_state_and_running_count(
    designer: User, flow: FlowDefinition, django_assert_max_num_queries: Any
) -> None:
    services.flow_create(code="car", name="用车申请", by=designer)
    client = signed_in(designer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workflow:flow_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "用印申请" in body
    assert "用车申请" in body
    for index in range(20):
        services.flow_create(code=f"f{index}", name=f"流程{index}", by=designer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workflow:flow_list"))
    assert response.content.decode().count('data-testid="flow-row-') == 22


def test_create_opens_the_designer(designer: User) -> None:
    client = signed_in(designer)
    response = client.post(
        reverse("workflow:flow_create"),
        {"code": "leave", "name": "请假", "kind": "general", "group": "人事"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:flow_design", args=["leave"])
    assert FlowDefinition.objects.get(code="leave").group == "人事"


def test_create_with_a_taken_code_shows_the_error(
    designer: User, flow: FlowDefinition
) -> None:
    response = signed_in(designer).post(
        reverse("workflow:flow_create"),
        {"code": "seal", "name": "又一个", "kind": "general"},
    )
    assert response.status_code == 200
    assert FlowDefinition.objects.count() == 1
    assert "invalid-feedback" in response.content.decode()


def test_copy_page_creates_an_unpublished_copy(
    designer: User, flow: FlowDefinition
) -> None:
    response = signed_in(designer).post(
        reverse("workflow:flow_copy", args=["seal"]),
        {"code": "seal-2", "name": "用印申请2"},
    )
    assert response.status_code == 302
    copy = FlowDefinition.objects.get(code="seal-2")
    assert copy.copied_from == flow
    assert copy.versions.count() == 0


def test_deactivate_and_activate(designer: User, flow: FlowDefinition) -> None:
    client = signed_in(designer)
    client.post(reverse("workflow:flow_active", args=["seal"]), {"active": "0"})
    flow.refresh_from_db()
    assert flow.is_active is False
    client.post(reverse("workflow:flow_active", args=["seal"]), {"active": "1"})
    flow.refresh_from_db()
    assert flow.is_active is True


def test_settings_page_saves(designer: User, flow: FlowDefinition) -> None:
    client = signed_in(designer)
    assert (
        client.get(reverse("workflow:flow_settings", args=["seal"])).status_code == 200
    )
    response = client.post(
        reverse("workflow:flow_settings", args=["seal"]),
        {
            "name": "用印",
            "group": "行政",
            "startable": "on",
            "cc_kind": "role",
            "cc_role": "",
            "cc_timing": "completion",
            "urge_interval_seconds": "60",
        },
    )
    assert response.status_code == 200  # the CC role is missing
    assert "Choose the role to CC." in response.content.decode()
    response = client.post(
        reverse("workflow:flow_settings", args=["seal"]),
        {
            "name": "用印",
            "group": "行政",
            "startable": "on",
            "cc_kind": "department_head",
            "cc_timing": "both",
            "allow_revoke": "on",
            "urge_interval_seconds": "60",
        },
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.name == "用印"
    assert flow.draft["definition"]["cc"] == {"kind": "department_head"}
    assert flow.draft["definition"]["allow_revoke"] is True


def test_design_page_delivers_the_draft_as_a_data_block(
    designer: User, flow: FlowDefinition
) -> None:
    response = signed_in(designer).get(reverse("workflow:flow_design", args=["seal"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<script id="fd-data" type="application/json">' in body
    assert "js/flow-designer.js" in body
    data = response.context["design"]
    assert data["definition"]["nodes"][0]["assignees"] == {"kind": "department_head"}
    assert data["form"] == [COPIES]
    assert {"value": "office_director", "label": "Office director"} in data["roles"]


def test_save_stores_the_tree(designer: User, flow: FlowDefinition) -> None:
    response = post_json(
        signed_in(designer),
        "workflow:flow_design_save",
        "seal",
        {"definition": seal_tree()},
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True
    flow.refresh_from_db()
    assert [n["id"] for n in flow.draft["definition"]["nodes"]] == ["n1", "n2"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({"definition": "x"}, "must be a JSON object"),
        ({"definition": {"nodes": [{"type": "robot", "id": "r"}]}}, "malformed"),
        ({"definition": {"nodes": [{"type": "approver"}]}}, "malformed"),
        ({"definition": {"nodes": [None]}}, "malformed"),
        (
            {
                "definition": {
                    "nodes": [
                        {
                            "type": "condition",
                            "id": "c",
                            "branches": [
                                {"id": "b", "conditions": [{"field": "x", "op": "~"}]}
                            ],
                        }
                    ]
                }
            },
            "malformed",
        ),
    ],
)
@pytest.mark.parametrize(
    "name",
    [
        "workflow:flow_design_save",
        "workflow:flow_design_validate",
        "workflow:flow_design_publish",
        "workflow:flow_design_dry_run",
    ],
)
def test_bad_json_is_a_400_with_messages_and_changes_nothing(
    designer: User, flow: FlowDefinition, payload: Any, message: str, name: str
) -> None:
    before = flow.draft
    response = post_json(signed_in(designer), name, "seal", payload)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert any(message in error for error in body["errors"]), body
    flow.refresh_from_db()
    assert flow.draft == before
    assert FlowVersion.objects.count() == 0


def test_validate_lists_problems_with_node_ids(
    designer: User, flow: FlowDefinition
) -> None:
    tree = seal_tree()
    tree["nodes"][1]["branches"][0]["conditions"] = [
        {"field": "pages", "op": ">", "value": 1}
    ]
    tree["nodes"][0]["assignees"] = {"kind": "users"}
    response = post_json(
        signed_in(designer),
        "workflow:flow_design_validate",
        "seal",
        {"definition": tree},
    )
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert [(p["node_id"], p["code"]) for p in problems] == [
        ("n1", "missing_approvers"),
        ("b1", "unknown_field"),
    ]


def test_publish_refuses_with_problems_then_publishes(
    designer: User, flow: FlowDefinition
) -> None:
    client = signed_in(designer)
    tree = seal_tree()
    tree["nodes"][0]["assignees"] = {"kind": "role"}
    response = post_json(
        client, "workflow:flow_design_publish", "seal", {"definition": tree}
    )
    assert response.status_code == 400
    assert response.json()["problems"][0]["node_id"] == "n1"
    assert FlowVersion.objects.count() == 0
    response = post_json(
        client, "workflow:flow_design_publish", "seal", {"definition": seal_tree()}
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "version": 1}
    version = FlowVersion.objects.get()
    assert version.form_schema == [COPIES]


def test_dry_run_returns_the_path_with_names_and_reasons(
    designer: User, flow: FlowDefinition
) -> None:
    initiator = UserFactory(name="样例")
    response = post_json(
        signed_in(designer),
        "workflow:flow_design_dry_run",
        "seal",
        {"definition": seal_tree(), "form": {"copies": "3"}, "initiator": initiator.pk},
    )
    assert response.status_code == 200
    steps = response.json()["steps"]
    assert [s["node_id"] for s in steps] == ["start", "n1", "n2", "end"]
    assert steps[0]["approvers"] == [
        {"id": str(initiator.pk), "name": "样例", "reason": "发起人"}
    ]


def test_dry_run_needs_an_initiator(designer: User, flow: FlowDefinition) -> None:
    response = post_json(
        signed_in(designer),
        "workflow:flow_design_dry_run",
        "seal",
        {"form": {"copies": 3}, "initiator": "x"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["Choose a sample initiator."]


def test_versions_and_a_version_read_only(designer: User, flow: FlowDefinition) -> None:
    services.flow_draft_save(definition=flow, body=seal_tree(), by=designer)
    services.flow_publish_draft(definition=flow, by=designer)
    client = signed_in(designer)
    response = client.get(reverse("workflow:flow_versions", args=["seal"]))
    assert response.status_code == 200
    assert reverse("workflow:flow_version_detail", args=["seal", 1]) in (
        response.content.decode()
    )
    response = client.get(reverse("workflow:flow_version_detail", args=["seal", 1]))
    assert response.status_code == 200
    assert response.context["design"]["readonly"] is True
    assert response.context["design"]["definition"]["nodes"][1]["id"] == "n2"
    missing = client.get(reverse("workflow:flow_version_detail", args=["seal", 9]))
    assert missing.status_code == 404


def test_people_search(designer: User) -> None:
    UserFactory(name="赵六")
    response = signed_in(designer).get(reverse("workflow:flow_people"), {"q": "赵"})
    assert [p["name"] for p in response.json()["results"]] == ["赵六"]


def test_navigation_shows_approval_flows_to_system_admins_only(
    designer: User,
) -> None:
    from zhiban.core.navigation import entries_for

    employee = UserFactory(roles=[Role.EMPLOYEE])
    assert "flows" in [e["key"] for e in entries_for(designer)]
    assert "flows" not in [e["key"] for e in entries_for(employee)]


def test_list_says_when_the_draft_changed_after_publishing(
    designer: User, flow: FlowDefinition
) -> None:
    client = signed_in(designer)
    services.flow_draft_save(definition=flow, body=seal_tree(), by=designer)
    services.flow_publish_draft(definition=flow, by=designer)
    body = client.get(reverse("workflow:flow_list")).content.decode()
    assert "v1" in body
    assert "Draft changed" not in body
    services.flow_draft_save(definition=flow, body=seal_tree(), by=designer)
    body = client.get(reverse("workflow:flow_list")).content.decode()
    assert "Draft changed" in body


def test_versions_page_query_budget(
    designer: User, flow: FlowDefinition, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(designer)
    services.flow_draft_save(definition=flow, body=seal_tree(), by=designer)
    services.flow_publish_draft(definition=flow, by=designer)
    url = reverse("workflow:flow_versions", args=["seal"])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    for _ in range(10):
        services.flow_publish_draft(definition=flow, by=designer)
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert body.count("/versions/") >= 11
