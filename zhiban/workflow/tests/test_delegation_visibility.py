"""A delegation that began after a task opened: the delegate sees it and its task."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from zhiban.core.errors import DomainError
from zhiban.org.models import Delegation, User
from zhiban.workflow import selectors, services
from zhiban.workflow.models import FlowInstance

from .conftest import approver, publish

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def delegate(delegator: User, to: User, **options: Any) -> Delegation:
    today = timezone.localdate()
    values: dict[str, Any] = {"starts_on": today, "ends_on": today, **options}
    return Delegation.objects.create(delegator=delegator, delegate=to, **values)


@pytest.fixture
def waiting(people: dict[str, User]) -> FlowInstance:
    """Alice's request waiting for bob; no delegation yet."""
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
    )
    return services.instance_start(
        flow_code="seal", form={}, by=people["alice"], title="用印：购销合同"
    )


def test_a_late_delegate_sees_the_instance_and_the_task_on_behalf(people, waiting):
    dave = people["dave"]
    assert selectors.instance_get_for(user=dave, instance_id=waiting.pk) is None

    delegate(people["bob"], dave)

    assert selectors.instance_get_for(user=dave, instance_id=waiting.pk) == waiting
    [task] = selectors.task_list_for(user=dave)
    assert task == waiting.tasks.get()
    assert task.acting_for_id == people["bob"].pk
    assert selectors.task_acting_for(task) == people["bob"]
    # Bob still sees his own task, as his own turn.
    [own] = selectors.task_list_for(user=people["bob"])
    assert own.acting_for_id is None


def test_the_late_delegate_acts_on_behalf_and_keeps_seeing_it(people, waiting):
    delegate(people["bob"], people["dave"])

    services.instance_act(instance_id=waiting.pk, kind="approve", by=people["dave"])

    action = waiting.actions.order_by("-sequence").first()
    assert action is not None
    assert (action.actor, action.on_behalf_of) == (people["dave"], people["bob"])
    assert selectors.task_list_for(user=people["dave"]).count() == 0
    assert (
        selectors.instance_get_for(user=people["dave"], instance_id=waiting.pk)
        == waiting
    )


def test_a_task_delegated_when_it_opened_is_listed_once_on_behalf(people):
    delegate(people["bob"], people["dave"])
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    [task] = selectors.task_list_for(user=people["dave"])

    assert (task.assignee, task.on_behalf_of) == (people["dave"], people["bob"])
    assert task.acting_for_id == people["bob"].pk
    assert selectors.task_acting_for(task) == people["bob"]
    assert task.instance == instance


@pytest.mark.parametrize(
    "options",
    [
        {"kinds": ["notice"]},
        {"is_active": False},
        {
            "starts_on": timezone.localdate() + DAY,
            "ends_on": timezone.localdate() + DAY,
        },
        {
            "starts_on": timezone.localdate() - DAY,
            "ends_on": timezone.localdate() - DAY,
        },
    ],
    ids=["other-kinds", "inactive", "not-yet", "ended"],
)
def test_a_delegation_not_in_force_for_approvals_shows_nothing(
    people, waiting, options
):
    delegate(people["bob"], people["dave"], **options)

    assert (
        selectors.instance_get_for(user=people["dave"], instance_id=waiting.pk) is None
    )
    assert list(selectors.task_list_for(user=people["dave"])) == []
    with pytest.raises(DomainError):
        services.instance_act(instance_id=waiting.pk, kind="approve", by=people["dave"])


def test_a_delegation_naming_approvals_counts(people, waiting):
    delegate(people["bob"], people["dave"], kinds=["approval", "notice"])

    assert [t.pk for t in selectors.task_list_for(user=people["dave"])] == [
        waiting.tasks.get().pk
    ]


def test_the_initiator_never_approves_their_own_request_as_a_delegate(people, waiting):
    delegate(people["bob"], people["alice"])
    before = waiting.sequence

    assert list(selectors.task_list_for(user=people["alice"])) == []
    with pytest.raises(DomainError, match="no open task"):
        services.instance_act(
            instance_id=waiting.pk, kind="approve", by=people["alice"]
        )

    waiting.refresh_from_db()
    assert waiting.sequence == before


def test_the_api_lists_the_late_delegates_task_and_answers_the_detail(people, waiting):
    delegate(people["bob"], people["dave"])
    api = APIClient()
    api.force_authenticate(people["dave"])

    tasks = api.get("/api/workflow/tasks/").json()["results"]
    detail = api.get(f"/api/workflow/instances/{waiting.pk}/")

    assert [
        (t["instance"], t["on_behalf_of"], t["on_behalf_of_name"]) for t in tasks
    ] == [(waiting.pk, people["bob"].pk, "王博")]
    assert detail.status_code == 200
    api.force_authenticate(people["stranger"])
    assert api.get(f"/api/workflow/instances/{waiting.pk}/").status_code == 404


def test_the_task_list_queries_do_not_grow_with_delegated_tasks(
    people, django_assert_num_queries, django_assert_max_num_queries
):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    publish("other", people["alice"], approver("n1", people["carol"]))
    delegate(people["bob"], people["dave"])
    delegate(people["carol"], people["dave"])
    api = APIClient()
    api.force_authenticate(people["dave"])
    services.instance_start(flow_code="seal", form={}, by=people["alice"])

    with django_assert_max_num_queries(2) as small:  # count, page
        assert len(api.get("/api/workflow/tasks/").json()["results"]) == 1
    for code in ("seal", "other", "seal", "other"):
        services.instance_start(flow_code=code, form={}, by=people["stranger"])
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/workflow/tasks/").json()["results"]) == 5


def test_the_visibility_check_is_one_query(people, waiting, django_assert_num_queries):
    delegate(people["bob"], people["dave"])

    # Warm the content type cache, which lives for the process.
    selectors.instance_get_for(user=people["dave"], instance_id=waiting.pk)
    with django_assert_num_queries(1):
        selectors.instance_get_for(user=people["dave"], instance_id=waiting.pk)
