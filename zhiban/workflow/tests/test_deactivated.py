"""Deactivated people: no task for them, and an administrator reassigns theirs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from zhiban.core.errors import DomainError
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import selectors, services
from zhiban.workflow.facts import DjangoOrgFacts
from zhiban.workflow.models import FlowInstance, FlowTask
from zhiban.workflow.reassignment import task_reassign

from .conftest import approver, publish
from .test_services import items, snapshot

pytestmark = pytest.mark.django_db


def deactivate(user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def test_the_facts_report_a_deactivated_or_unknown_person_as_inactive(people):
    deactivate(people["bob"])
    facts = DjangoOrgFacts()

    assert facts.is_active(str(people["carol"].pk)) is True
    assert facts.is_active(str(people["bob"].pk)) is False
    assert facts.is_active("999999") is False
    assert facts.is_active("system") is False


def test_a_deactivated_named_approver_gets_no_task(people):
    publish("seal", people["alice"], approver("n1", people["bob"], people["carol"]))
    deactivate(people["bob"])

    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    assert items(instance) == [("carol", "open", "")]
    texts = [e["text"] for e in instance.actions.get().events]
    assert "审批n1：王博已停用，跳过" in texts


def test_a_node_of_deactivated_people_falls_to_its_fallback(people):
    node = {
        **approver("n1", people["bob"]),
        "when_empty": "fallback",
        "fallback_users": [str(people["dave"].pk)],
    }
    publish("seal", people["alice"], node)
    deactivate(people["bob"])

    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    assert items(instance) == [("dave", "open", "")]
    assert instance.tasks.get().reason == "无人可审，转交兜底人员"


@pytest.fixture
def held(people: dict[str, User]) -> FlowInstance:
    """Alice's request waiting for bob, who then leaves (deactivated)."""
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
    )
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    deactivate(people["bob"])
    return instance


def test_an_administrator_reassigns_a_deactivated_holders_task(people, admin, held):
    task = held.tasks.get()

    new = task_reassign(task=task, to=people["dave"], by=admin, reason="王博已离职")

    task.refresh_from_db()
    assert (task.state, task.outcome, task.closed_by) == ("done", "transferred", admin)
    assert (new.assignee, new.state, new.node_id) == (people["dave"], "open", "n1")
    assert new.reason.startswith("改派：管理员")
    assert items(held) == [("bob", "done", "transferred"), ("dave", "open", "")]
    action = held.actions.order_by("-sequence").first()
    assert action is not None
    assert (action.kind, action.actor, action.on_behalf_of, action.comment) == (
        "transfer",
        admin,
        people["bob"],
        "王博已离职",
    )
    assert action.body["administrative"] is True
    # Replaying uses today's organisation: with bob as he was, the log replays.
    held.refresh_from_db()
    User.objects.filter(pk=people["bob"].pk).update(is_active=True)
    assert services.instance_replay(instance=held) == services.engine.state_from_dict(
        held.state
    )
    deactivate(people["bob"])

    # The new holder approves and the request goes on.
    services.instance_act(instance_id=held.pk, kind="approve", by=people["dave"])
    assert items(held, state="open") == [("carol", "open", "")]


def test_the_administrators_list_shows_tasks_held_by_deactivated_people(
    people, admin, held
):
    assert list(selectors.task_list_held_by_inactive(user=admin)) == [held.tasks.get()]
    assert list(selectors.task_list_held_by_inactive(user=people["carol"])) == []


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("not_admin", "forbidden"),
        ("no_reason", "reason"),
        ("inactive_target", "to"),
        ("to_the_holder", "to"),  # deactivated, like anyone inactive
        ("already_closed", "not_your_task"),
    ],
)
def test_reassigning_is_refused_and_changes_nothing(people, admin, held, case, field):
    task = held.tasks.get()
    by, to, reason = admin, people["dave"], "王博已离职"
    if case == "not_admin":
        by = people["carol"]
    elif case == "no_reason":
        reason = " "
    elif case == "inactive_target":
        deactivate(people["dave"])
    elif case == "to_the_holder":
        to = people["bob"]
    elif case == "already_closed":
        task_reassign(task=task, to=people["dave"], by=admin, reason=reason)
        to = people["carol"]
    before = snapshot(held)

    with pytest.raises(DomainError) as caught:
        task_reassign(task=task, to=to, by=by, reason=reason)

    error = caught.value
    found = set(error.error_dict) if hasattr(error, "error_dict") else {error.code}
    assert field in found
    assert snapshot(held) == before
    assert FlowTask.objects.filter(instance=held, state="open").count() == 1


def test_a_deactivated_holders_work_item_stays_until_reassigned(people, held):
    # Deactivating someone does not move their work by itself.
    assert WorkItem.objects.get(target_id=str(held.pk)).state == "open"


# --- the API ------------------------------------------------------------------------


def reassign_url(instance: FlowInstance) -> str:
    return f"/api/workflow/instances/{instance.pk}/reassign/"


def test_an_administrator_reassigns_through_the_api(people, admin, held):
    api = APIClient()
    api.force_authenticate(admin)
    task = held.tasks.get()

    response = api.post(
        reassign_url(held),
        {"task": task.pk, "to": people["dave"].pk, "reason": "王博已离职"},
        format="json",
    )

    assert response.status_code == 200
    [open_task] = response.json()["open_tasks"]
    assert open_task["assignee"] == people["dave"].pk
    assert response.json()["timeline"][-1]["on_behalf_of"] == people["bob"].pk


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 403), ("carol", 403), ("stranger", 403)]
)
def test_only_an_administrator_may_reassign_through_the_api(people, held, who, status):
    api = APIClient()
    api.force_authenticate(people[who])
    before = snapshot(held)

    response = api.post(
        reassign_url(held),
        {"task": held.tasks.get().pk, "to": people["dave"].pk, "reason": "x"},
        format="json",
    )

    assert response.status_code == status
    assert snapshot(held) == before


def test_reassigning_a_closed_task_through_the_api_is_a_conflict(people, admin, held):
    task = held.tasks.get()
    task_reassign(task=task, to=people["dave"], by=admin, reason="王博已离职")
    api = APIClient()
    api.force_authenticate(admin)
    before = snapshot(held)

    response = api.post(
        reassign_url(held),
        {"task": task.pk, "to": people["carol"].pk, "reason": "再改派"},
        format="json",
    )
    unknown = api.post(
        reassign_url(held),
        {"task": task.pk, "to": 999999, "reason": "再改派"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "not_your_task"
    assert unknown.status_code == 400
    assert snapshot(held) == before


# --- the administrators' pages ------------------------------------------------------


def test_the_held_tasks_page_lists_them_and_reassigns_one(client, people, admin, held):
    from django.urls import reverse

    task = held.tasks.get()
    client.force_login(admin)
    page = client.get(reverse("workflow:held_tasks"))
    assert page.status_code == 200
    assert [t.pk for t in page.context["page"].object_list] == [task.pk]
    html = page.content.decode()
    assert reverse("workflow:task_reassign", args=[task.pk]) in html

    # Without a reason: refused with the message, nothing changes.
    refused = client.post(
        reverse("workflow:task_reassign", args=[task.pk]),
        {
            "to_user": str(people["dave"].pk),
            "reason": "",
            "next": "/workflow/manage/held-tasks/",
        },
        follow=True,
    )
    assert "请填写改派理由。" in refused.content.decode()
    task.refresh_from_db()
    assert task.state == "open"

    done = client.post(
        reverse("workflow:task_reassign", args=[task.pk]),
        {
            "to_user": str(people["dave"].pk),
            "reason": "王博已离职",
            "next": "/workflow/manage/held-tasks/",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == "/workflow/manage/held-tasks/"
    assert items(held, state="open") == [("dave", "open", "")]
    after = client.get(reverse("workflow:held_tasks"))
    assert list(after.context["page"].object_list) == []


def test_the_instance_page_offers_reassignment_to_administrators_only(
    client, people, admin, held
):
    from django.urls import reverse

    url = reverse("workflow:instance_detail", args=[held.pk])
    client.force_login(admin)
    assert 'data-testid="reassign-panel"' in client.get(url).content.decode()
    client.force_login(people["alice"])
    assert 'data-testid="reassign-panel"' not in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_an_administrator_may_reassign_through_the_pages(
    client, people, held, who
):
    from django.urls import reverse

    task = held.tasks.get()
    client.force_login(people[who])

    assert client.get(reverse("workflow:held_tasks")).status_code == 403
    response = client.post(
        reverse("workflow:task_reassign", args=[task.pk]),
        {"to_user": str(people["dave"].pk), "reason": "x"},
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.state == "open"


def test_a_foreign_next_address_is_ignored(client, people, admin, held):
    from django.urls import reverse

    task = held.tasks.get()
    client.force_login(admin)
    response = client.post(
        reverse("workflow:task_reassign", args=[task.pk]),
        {
            "to_user": str(people["dave"].pk),
            "reason": "离职",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("workflow:instance_detail", args=[held.pk])
