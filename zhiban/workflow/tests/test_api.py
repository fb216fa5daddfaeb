"""The approvals API: permission matrix, 409 refusals, a round trip, query budgets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from zhiban.org.models import Delegation, Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.workflow import selectors, services
from zhiban.workflow.api import InstanceSerializer
from zhiban.workflow.models import FlowDefinition, FlowInstance, FlowVersion

from .conftest import approver, body, publish
from .test_services import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def instance(people: dict[str, User]) -> FlowInstance:
    """Alice's request: bob approves first, then carol."""
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
    )
    return services.instance_start(
        flow_code="seal", form={}, by=people["alice"], title="用印：购销合同"
    )


def who_is(name: str, people: dict[str, User], admin: User) -> User:
    return admin if name == "admin" else people[name]


def english(*users: User) -> None:
    """Let the users read English, to assert against the msgids."""
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def task_of(instance: FlowInstance, user: User) -> int:
    return instance.tasks.get(assignee=user, state="open").pk


# --- anonymous ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/workflow/instances/"),
        ("get", "/api/workflow/instances/{pk}/"),
        ("post", "/api/workflow/instances/{pk}/act/"),
        ("get", "/api/workflow/tasks/"),
        ("get", "/api/workflow/definitions/"),
        ("post", "/api/workflow/definitions/"),
    ],
)
def test_anonymous_is_refused_and_nothing_changes(api, instance, method, url):
    before = snapshot(instance)

    response = getattr(api, method)(
        url.format(pk=instance.pk), {"kind": "approve"}, format="json"
    )

    assert response.status_code == 403
    assert snapshot(instance) == before


# --- detail -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stranger", 404),
        ("alice", 200),  # initiator
        ("bob", 200),  # approver holding the open task
        ("carol", 404),  # the later approver is not involved yet
        ("admin", 200),
    ],
)
def test_detail_permission_matrix(api, people, admin, instance, who, status):
    api.force_login(who_is(who, people, admin))

    response = api.get(f"/api/workflow/instances/{instance.pk}/")

    assert response.status_code == status


def test_detail_shows_the_timeline_and_the_open_tasks(api, people, instance):
    api.force_login(people["alice"])

    data = api.get(f"/api/workflow/instances/{instance.pk}/").json()

    assert data["title"] == "用印：购销合同"
    assert data["status"] == "running"
    assert data["flow_code"] == "seal"
    assert data["initiator"] == people["alice"].pk
    assert [(e["kind"], e["actor"]) for e in data["timeline"]] == [
        ("submit", people["alice"].pk)
    ]
    assert [(t["node_id"], t["assignee"]) for t in data["open_tasks"]] == [
        ("n1", people["bob"].pk)
    ]


def test_detail_of_a_missing_instance_is_404(api, people):
    api.force_login(people["alice"])

    assert api.get("/api/workflow/instances/999999/").status_code == 404


# --- act ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["approve", "comment", "withdraw"])
def test_acting_on_an_approval_that_does_not_exist_is_404(api, people, kind):
    api.force_login(people["bob"])

    response = api.post(
        "/api/workflow/instances/999999/act/", {"kind": kind}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["stranger", "carol"])
def test_an_unrelated_user_acting_gets_404_and_nothing_changes(
    api, people, instance, who
):
    api.force_login(people[who])
    before = snapshot(instance)

    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/",
        {"kind": "approve", "payload": {"opinion": "同意"}},
        format="json",
    )

    assert response.status_code == 404
    assert snapshot(instance) == before


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("alice", 409, "not_your_task"),  # initiator, no task of hers
        ("admin", 409, "not_your_task"),  # sees everything, holds nothing
        ("bob", 200, None),  # the approver
    ],
)
def test_act_permission_matrix(api, people, admin, instance, who, status, code):
    api.force_login(who_is(who, people, admin))
    before = snapshot(instance)

    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/",
        {"kind": "approve"},
        format="json",
    )

    assert response.status_code == status
    assert response.json().get("code") == code
    if status == 200:
        assert [t["assignee"] for t in response.json()["open_tasks"]] == [
            people["carol"].pk
        ]
        assert snapshot(instance) != before
    else:
        assert snapshot(instance) == before


def test_start_approve_round_trip(api, people):
    # Given a published two-step flow
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
    )

    # When alice starts it through the API
    api.force_login(people["alice"])
    started = api.post(
        "/api/workflow/instances/",
        {"flow": "seal", "title": "用印：合同", "form": {"copies": 2}},
        format="json",
    )

    # Then it is running, and bob holds the first task
    assert started.status_code == 201
    pk = started.json()["id"]
    assert started.json()["status"] == "running"
    assert started.json()["form"] == {"copies": 2}
    api.force_login(people["bob"])
    tasks = api.get("/api/workflow/tasks/").json()["results"]
    assert [(t["instance"], t["node_id"]) for t in tasks] == [(pk, "n1")]

    # When bob and then carol approve their tasks
    first = api.post(
        f"/api/workflow/instances/{pk}/act/",
        {"kind": "approve", "payload": {"opinion": "同意"}, "task": tasks[0]["id"]},
        format="json",
    )
    assert first.status_code == 200
    assert [t["assignee"] for t in first.json()["open_tasks"]] == [people["carol"].pk]
    api.force_login(people["carol"])
    second = api.post(
        f"/api/workflow/instances/{pk}/act/", {"kind": "approve"}, format="json"
    )

    # Then the instance is approved with the whole timeline, and no task is left
    assert second.status_code == 200
    assert second.json()["status"] == "approved"
    assert second.json()["open_tasks"] == []
    assert [(e["kind"], e["comment"]) for e in second.json()["timeline"]] == [
        ("submit", ""),
        ("approve", "同意"),
        ("approve", ""),
    ]
    assert api.get("/api/workflow/tasks/").json()["results"] == []
    assert FlowInstance.objects.get(pk=pk).status == "approved"


def test_acting_on_a_task_no_longer_mine_is_409_and_changes_nothing(
    api, people, instance
):
    # Given bob already approved (carol holds the next step)
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["bob"])
    english(people["bob"])
    api.force_login(people["bob"])
    before = snapshot(instance)

    # When bob approves again
    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/",
        {"kind": "approve"},
        format="json",
    )

    # Then 409 with the translated message and the engine's code; nothing changed
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You hold no open task on this approval: it is not yours, "
        "or it has already been handled.",
        "code": "not_your_task",
    }
    assert snapshot(instance) == before


def test_acting_on_a_finished_instance_is_409_and_changes_nothing(
    api, people, instance
):
    services.instance_act(
        instance_id=instance.pk,
        kind="reject",
        by=people["bob"],
        payload={"reason": "不合规"},
    )
    english(people["bob"])
    api.force_login(people["bob"])
    before = snapshot(instance)

    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/",
        {"kind": "approve"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This approval has already finished and can no longer be acted on.",
        "code": "instance_finished",
    }
    assert snapshot(instance) == before


def test_the_409_message_is_translated(api, people, instance):
    services.instance_act(
        instance_id=instance.pk,
        kind="reject",
        by=people["bob"],
        payload={"reason": "不合规"},
    )
    api.force_login(people["bob"])

    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/",
        {"kind": "approve"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "instance_finished"
    assert response.json()["detail"] == "该审批已结束，不能再操作。"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "dance"}, "kind"),
        ({}, "kind"),
        ({"kind": "approve", "task": "x"}, "task"),
        ({"kind": "approve", "payload": "x"}, "payload"),
        ({"kind": "transfer", "payload": {"to_user": 999999}}, "to_user"),
        ({"kind": "submit", "payload": {"picks": [1]}}, "payload"),
        ({"kind": "submit", "payload": {"picks": {"n1": 1}}}, "payload"),
        ({"kind": "submit", "payload": {"form": "x"}}, "payload"),
        ({"kind": "comment", "payload": {"attachments": "x"}}, "payload"),
    ],
)
def test_bad_action_input_is_400_by_field_and_changes_nothing(
    api, people, instance, data, field
):
    api.force_login(people["bob"])
    before = snapshot(instance)

    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/", data, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot(instance) == before


def test_a_refusal_other_than_a_conflict_is_400(api, people, instance):
    # Only the initiator may withdraw: bob is refused with a plain 400
    english(people["bob"])
    api.force_login(people["bob"])
    before = snapshot(instance)

    response = api.post(
        f"/api/workflow/instances/{instance.pk}/act/",
        {"kind": "withdraw"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == ["Only the initiator may do this."]
    assert snapshot(instance) == before


def test_start_of_an_unknown_flow_is_400_and_creates_nothing(api, people):
    english(people["alice"])
    api.force_login(people["alice"])

    response = api.post("/api/workflow/instances/", {"flow": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"flow": ["There is no published flow “nope”."]}
    assert FlowInstance.objects.count() == 0


# --- my tasks -----------------------------------------------------------------------


def test_my_tasks_lists_only_my_open_tasks(api, people, instance):
    api.force_login(people["bob"])
    assert [t["id"] for t in api.get("/api/workflow/tasks/").json()["results"]] == [
        task_of(instance, people["bob"])
    ]
    api.force_login(people["stranger"])
    assert api.get("/api/workflow/tasks/").json()["results"] == []


def test_my_tasks_query_count_does_not_grow(api, people, django_assert_num_queries):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    api.force_login(people["bob"])

    def start(count: int) -> None:
        for number in range(count):
            services.instance_start(
                flow_code="seal", form={}, by=people["alice"], title=f"申请{number}"
            )

    start(2)
    with django_assert_num_queries(3) as small:  # user, count, page
        response = api.get("/api/workflow/tasks/")
    assert len(response.json()["results"]) == 2
    start(5)
    with django_assert_num_queries(len(small.captured_queries)):
        response = api.get("/api/workflow/tasks/")
    assert len(response.json()["results"]) == 7


# --- definitions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("stranger", 403), ("alice", 403), ("sysadmin", 200), ("admin", 200)],
)
def test_definitions_permission_matrix(api, people, admin, instance, who, status):
    if who == "sysadmin":
        user = UserFactory(username="sysadmin", roles=[Role.SYSTEM_ADMIN])
    else:
        user = who_is(who, people, admin)
    api.force_login(user)
    versions = FlowVersion.objects.count()

    listed = api.get("/api/workflow/definitions/")
    posted = api.post(
        "/api/workflow/definitions/",
        body("seal", approver("n1", people["carol"])),
        format="json",
    )

    assert listed.status_code == status
    assert posted.status_code == (201 if status == 200 else 403)
    assert FlowVersion.objects.count() == versions + (1 if status == 200 else 0)


def test_definitions_list_flows_with_their_latest_version(api, people, admin):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    publish("seal", people["alice"], approver("n1", people["carol"]))
    services.flow_create(code="leave", name="请假", by=admin)
    api.force_login(admin)

    data = api.get("/api/workflow/definitions/").json()["results"]

    assert [(d["code"], d["latest_version"]) for d in data] == [
        ("leave", None),
        ("seal", 2),
    ]


def test_publishing_creates_the_flow_and_then_new_versions(api, people, admin):
    api.force_login(admin)
    definition = body("leave", approver("n1", people["bob"]))

    first = api.post("/api/workflow/definitions/", definition, format="json")
    second = api.post("/api/workflow/definitions/", definition, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert FlowDefinition.objects.get(code="leave").name == "用印申请"


def test_an_invalid_definition_is_400_naming_each_node_and_creates_nothing(api, admin):
    english(admin)
    api.force_login(admin)
    bad = body(
        "leave",
        {"type": "approver", "id": "n1", "name": "空", "assignees": {"kind": "users"}},
        {"type": "approver", "id": "n2", "name": "角色", "assignees": {"kind": "role"}},
    )

    response = api.post("/api/workflow/definitions/", bad, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "definition": ["Node “n1”: 没有指定审批人", "Node “n2”: 没有选择审批人的角色"]
    }
    assert FlowDefinition.objects.filter(code="leave").exists() is False


def test_a_definition_without_nodes_is_400(api, admin):
    api.force_login(admin)

    response = api.post(
        "/api/workflow/definitions/", {"key": "leave", "name": "请假"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["nodes"]
    assert FlowDefinition.objects.count() == 0


def test_definitions_query_count_does_not_grow(api, admin, django_assert_num_queries):
    api.force_login(admin)

    def flows(codes: Any) -> None:
        for code in codes:
            services.flow_create(code=code, name=code, by=admin)

    flows(["a", "b"])
    with django_assert_num_queries(4) as small:  # user, roles, count, page
        response = api.get("/api/workflow/definitions/")
    assert len(response.json()["results"]) == 2
    flows(["c", "d", "e", "f"])
    with django_assert_num_queries(len(small.captured_queries)):
        response = api.get("/api/workflow/definitions/")
    assert len(response.json()["results"]) == 6


def test_a_non_administrator_is_told_why_in_chinese(api, people):
    api.force_login(people["alice"])

    response = api.get("/api/workflow/definitions/")

    assert response.status_code == 403
    assert response.json() == {"detail": "只有系统管理员可以管理审批流程。"}


def test_an_approval_stays_within_its_query_budget(
    api, people, instance, django_assert_max_num_queries
):
    """One approval that opens the next node's task (bench/README.md: the budget).

    35 statements before the visibility checks (a task action needs none unless it
    is refused) and the nested savepoints of the inbox and audit services went (in
    a test, the service's own transaction is a savepoint too: 2 of the 19 on
    SQLite); 22 before the answer was built from the locked row, the open tasks
    read under the lock closed the tasks and the recipients loaded were not read
    again. The budget keeps them from creeping back.
    """
    api.force_authenticate(people["bob"])
    from django.db import connection

    # PostgreSQL takes the audit chain's advisory lock: one statement more.
    budget = 20 if connection.vendor == "postgresql" else 19
    with django_assert_max_num_queries(budget):
        response = api.post(
            f"/api/workflow/instances/{instance.pk}/act/",
            {"kind": "approve"},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert [t["assignee"] for t in response.json()["open_tasks"]] == [
        people["carol"].pk
    ]


# --- start with files (multipart) ---------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILE_FORM = [
    {"key": "copies", "type": "number", "label": "份数", "required": True},
    {"key": "scan", "type": "attachment", "label": "扫描件", "required": True},
]


@pytest.fixture
def file_flow(people):
    flow = services.flow_create(code="filed", name="用印申请", by=people["alice"])
    return services.flow_publish(
        definition=flow,
        body=body("filed", approver("n1", people["bob"])),
        form_schema=FILE_FORM,
        by=people["alice"],
    )


def test_start_with_a_file_through_multipart(api, people, file_flow):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhiban.workflow.models import FlowFile

    api.force_login(people["alice"])
    response = api.post(
        "/api/workflow/instances/",
        {
            "flow": "filed",
            "form": json.dumps({"copies": 2}),
            "scan": SimpleUploadedFile("合同.pdf", PDF, "application/pdf"),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    instance = FlowInstance.objects.get(pk=response.json()["id"])
    (file_id,) = instance.form["scan"]
    assert FlowFile.objects.get(pk=file_id).original_name == "合同.pdf"
    assert instance.form["copies"] == 2


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ({"form": "{not json"}, "form"),
        ({"form": '{"copies": 2}'}, "scan"),  # the required file is missing
        ({"form": '{"copies": 2}', "bad": True}, "scan"),  # a script is refused
    ],
)
def test_a_bad_multipart_start_is_a_400_on_its_field_and_stores_nothing(
    api, people, file_flow, parts, field
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhiban.workflow.models import FlowFile

    english(people["alice"])
    api.force_login(people["alice"])
    data = {"flow": "filed", **parts}
    if data.pop("bad", False):
        data["scan"] = SimpleUploadedFile(
            "x.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf"
        )

    response = api.post("/api/workflow/instances/", data, format="multipart")

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body or field in body.get("form", {}), body
    assert FlowInstance.objects.count() == 0
    assert FlowFile.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        ([1, 2], "json"),
        ({"flow": "filed", "form": "[1, 2]"}, "multipart"),
        ({"flow": "filed", "picks": "{bad"}, "multipart"),
    ],
)
def test_a_malformed_start_is_a_400(api, people, file_flow, body, fmt):
    api.force_login(people["alice"])

    response = api.post("/api/workflow/instances/", body, format=fmt)

    assert response.status_code == 400, response.content
    assert FlowInstance.objects.count() == 0


# --- the answer, built by hand, equals the serializer's -----------------------------


def serialized(instance_id: int) -> dict[str, Any]:
    """The instance as ``InstanceSerializer`` renders it (the schema's reference)."""
    instance = FlowInstance.objects.get(pk=instance_id)
    instance.timeline = list(selectors.instance_timeline(instance=instance))  # type: ignore[attr-defined]
    instance.open_tasks = list(selectors.instance_open_tasks(instance=instance))  # type: ignore[attr-defined]
    return json_of(InstanceSerializer(instance).data)


def json_of(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data))


def test_every_answer_equals_what_the_serializer_renders(api, people):
    """The act, detail and start answers are written by hand for speed
    (bench/README.md); the serializer stays the schema. Compared after every
    step of a flow with named and unnamed people, a delegate, a 会签 node with
    two open tasks, a transfer, an opinion and the end."""
    people["carol"].name = ""
    people["carol"].first_name, people["carol"].last_name = "Carol", "Chen"
    people["carol"].save()
    people["dave"].name = ""
    people["dave"].save()  # only a sign-in name
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=people["bob"],
        delegate=people["stranger"],
        starts_on=today,
        ends_on=today,
    )
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"], people["dave"], mode="all"),
    )
    api.force_authenticate(people["alice"])
    started = api.post(
        "/api/workflow/instances/",
        {"flow": "seal", "form": {}, "title": "用印：购销合同"},
        format="json",
    )
    assert started.status_code == 201, started.content
    pk = started.json()["id"]
    assert started.json() == serialized(pk)
    assert started.json()["open_tasks"][0]["on_behalf_of_name"] == "王博"

    steps = [
        ("stranger", {"kind": "approve", "payload": {"opinion": "代王博同意"}}),
        ("dave", {"kind": "comment", "payload": {"text": "请补充合同"}}),
        ("dave", {"kind": "transfer", "payload": {"to_user": people["bob"].pk}}),
        ("carol", {"kind": "approve"}),
        ("bob", {"kind": "approve"}),
    ]
    for who, posted in steps:
        api.force_authenticate(people[who])
        answer = api.post(f"/api/workflow/instances/{pk}/act/", posted, format="json")
        assert answer.status_code == 200, (who, posted, answer.content)
        assert answer.json() == serialized(pk), (who, posted)
        assert api.get(f"/api/workflow/instances/{pk}/").json() == serialized(pk)
    final = serialized(pk)
    assert final["status"] == "approved"
    assert final["finished_at"] is not None
    names = {(e["actor_name"], e["on_behalf_of_name"]) for e in final["timeline"]}
    assert ("路人", "王博") in names
    assert ("dave", "") in names
    assert ("Carol Chen", "") in names
