"""The instance detail page: who may see it, what it shows, its query budget."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhiban.org.models import Delegation, Role
from zhiban.org.tests.factories import UserFactory
from zhiban.workflow import services
from zhiban.workflow.models import FlowInstance

from .conftest import approver, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(people) -> FlowInstance:
    """Alice's request: bob approved, carol holds the next step, dave is copied."""
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
        cc={"kind": "users", "users": [str(people["dave"].pk)]},
        cc_timing="submission",
    )
    started = services.instance_start(
        flow_code="seal", form={}, by=people["alice"], title="用印：购销合同"
    )
    services.instance_act(
        instance_id=started.pk,
        kind="approve",
        by=people["bob"],
        payload={"opinion": "同意用印"},
    )
    started.refresh_from_db()
    return started


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stranger", 404),  # same department, not involved
        ("alice", 200),  # initiator
        ("bob", 200),  # acted
        ("carol", 200),  # holds the open task
        ("dave", 200),  # copied
        ("admin", 200),
    ],
)
def test_detail_page_permission_matrix(client, people, instance, admin, who, status):
    user = admin if who == "admin" else people[who]
    client.force_login(user)
    before = instance.sequence

    response = client.get(reverse("workflow:instance_detail", args=[instance.pk]))

    assert response.status_code == status
    instance.refresh_from_db()
    assert instance.sequence == before


def test_detail_page_redirects_anonymous_to_sign_in(client, instance):
    url = reverse("workflow:instance_detail", args=[instance.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_detail_page_is_visible_to_a_delegate_of_the_holder(client, people, instance):
    # Given carol's approvals go to a delegate from today (after her task opened)
    delegate = UserFactory(username="delegate", roles=[Role.EMPLOYEE])
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=people["carol"], delegate=delegate, starts_on=today, ends_on=today
    )
    client.force_login(delegate)
    url = reverse("workflow:instance_detail", args=[instance.pk])
    # The delegate may act on it now, so they see it before acting too.
    assert client.get(url).status_code == 200

    # When the delegate approves on carol's behalf
    services.instance_act(instance_id=instance.pk, kind="approve", by=delegate)

    # Then the delegate sees it, and the timeline says on whose behalf
    response = client.get(url)
    assert response.status_code == 200
    assert "（代陈卡办理）" in response.content.decode()  # the delegate reads Chinese


def test_detail_page_shows_the_timeline_and_the_open_task(client, people, instance):
    client.force_login(people["alice"])

    response = client.get(reverse("workflow:instance_detail", args=[instance.pk]))

    page = response.content.decode()
    assert response.context["instance"] == instance
    assert [a.kind for a in response.context["actions"]] == ["submit", "approve"]
    assert [a.comment for a in response.context["actions"]] == ["", "同意用印"]
    assert [t.assignee for t in response.context["open_tasks"]] == [people["carol"]]
    assert "用印：购销合同" in page
    assert "同意用印" in page
    assert "指定人员" in page


def test_detail_page_is_get_only(client, people, instance):
    client.force_login(people["alice"])

    response = client.post(reverse("workflow:instance_detail", args=[instance.pk]))

    assert response.status_code == 405


def test_detail_page_query_count_does_not_grow_with_the_timeline(
    client, people, instance, django_assert_num_queries
):
    client.force_login(people["alice"])
    url = reverse("workflow:instance_detail", args=[instance.pk])
    client.get(url)  # warm the session and the content-type cache
    # Header, form, path (tasks, dry-run people), timeline with files, panel.
    with django_assert_num_queries(12) as small:
        client.get(url)

    for number in range(6):
        services.instance_act(
            instance_id=instance.pk,
            kind="comment",
            by=people["bob" if number % 2 else "dave"],
            payload={"text": f"意见{number}"},
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
