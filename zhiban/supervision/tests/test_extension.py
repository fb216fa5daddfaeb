"""Extension requests (延期申请) on the approval engine."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org.models import User
from zhiban.supervision import services
from zhiban.supervision.defaults import ensure_extension_flow
from zhiban.supervision.models import ClockProfile, Extension, ItemNode, SupervisionItem
from zhiban.supervision.tests.conftest import days, issued_item
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowDefinition, FlowInstance, FlowTask, FlowVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _flow(db: Any) -> None:
    ensure_extension_flow(FlowDefinition, FlowVersion)


def signed(people: dict[str, User], profile: ClockProfile) -> SupervisionItem:
    item = issued_item(people, profile)
    return services.item_sign(item=item, by=people["head"], arrangement="部署")


def decide(instance: FlowInstance, kind: str, reason: str = "") -> None:
    task = FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN).first()
    assert task is not None
    payload = {"reason": reason} if reason else None
    workflow.instance_act(
        instance_id=instance.pk, kind=kind, by=task.assignee, payload=payload
    )


def open_task_holders(instance: FlowInstance) -> list[str]:
    return list(
        FlowTask.objects.filter(
            instance=instance, state=FlowTask.State.OPEN
        ).values_list("assignee__username", flat=True)
    )


def test_approved_extension_moves_the_completion_date(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = signed(people, profile)
    complete = item.nodes.get(key="complete")
    new_due = complete.due_on + days(10)
    extension = services.extension_request(
        item=item, by=people["head"], new_due=new_due, reason="设备到货推迟"
    )
    assert extension.old_due == complete.due_on
    assert open_task_holders(extension.instance) == ["officer"]
    decide(extension.instance, "approve")
    assert open_task_holders(extension.instance) == ["leader"]
    decide(extension.instance, "approve")
    extension.refresh_from_db()
    assert extension.state == Extension.State.APPROVED
    assert ItemNode.objects.get(pk=complete.pk).due_on == new_due
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["extension_request", "extension_approved"]


def test_rejected_extension_changes_nothing(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = signed(people, profile)
    due = item.nodes.get(key="complete").due_on
    extension = services.extension_request(
        item=item, by=people["head"], new_due=due + days(5), reason="人手不足"
    )
    decide(extension.instance, "reject", "理由不充分")
    extension.refresh_from_db()
    assert extension.state == Extension.State.REJECTED
    assert item.nodes.get(key="complete").due_on == due
    # A new request may follow a decided one.
    services.extension_request(
        item=item, by=people["head"], new_due=due + days(3), reason="再申请"
    )


def test_bad_extension_requests_are_refused(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = signed(people, profile)
    due = item.nodes.get(key="complete").due_on
    with pytest.raises(DomainError) as error:
        services.extension_request(
            item=item, by=people["head"], new_due=due, reason="x"
        )
    assert error.value.code == "extension_not_later"
    with pytest.raises(DomainError) as error:
        services.extension_request(
            item=item, by=people["head"], new_due=due + days(1), reason=" "
        )
    assert error.value.code == "required"
    with pytest.raises(PermissionDeniedError):
        services.extension_request(
            item=item,
            by=people["safety_head"],
            new_due=due + days(1),
            reason="配合部门",
        )
    services.extension_request(
        item=item, by=people["head"], new_due=due + days(2), reason="一"
    )
    with pytest.raises(DomainError) as error:
        services.extension_request(
            item=item, by=people["head"], new_due=due + days(4), reason="二"
        )
    assert error.value.code == "extension_pending"
    assert Extension.objects.count() == 1
    assert FlowInstance.objects.count() == 1


def test_extension_from_the_item_page(
    people: dict[str, User], profile: ClockProfile
) -> None:
    from django.test import Client

    item = signed(people, profile)
    User.objects.filter(pk=people["head"].pk).update(language="en")
    client = Client()
    client.force_login(people["head"])
    url = reverse("supervision:act", args=[item.pk, "extend"])
    past = (timezone.localdate() - days(1)).isoformat()
    response = client.post(url, {"new_due": past, "reason": "x"})
    assert response.status_code == 400
    assert (
        "Ask for a date after the current completion date" in response.content.decode()
    )
    later = (item.nodes.get(key="complete").due_on + days(7)).isoformat()
    assert client.post(url, {"new_due": later, "reason": "等待验收"}).status_code == 302
    extension = Extension.objects.get()
    page = client.get(reverse("supervision:detail", args=[item.pk])).content.decode()
    assert reverse("workflow:instance_detail", args=[extension.instance_id]) in page
    # The officer reads the approval page, with the item on it.
    User.objects.filter(pk=people["officer"].pk).update(language="en")
    officer = Client()
    officer.force_login(people["officer"])
    approval = officer.get(
        reverse("workflow:instance_detail", args=[extension.instance_id])
    )
    assert approval.status_code == 200
    assert 'data-testid="instance-extension"' in approval.content.decode()
