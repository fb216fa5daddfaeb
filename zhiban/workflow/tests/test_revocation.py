"""Revoking an approved request (撤销) through its own approval."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import services
from zhiban.workflow.models import FlowAction, FlowInstance, FlowTask
from zhiban.workflow.revocation import instance_revoke_request

from .conftest import approver, publish
from .test_concurrency import org, race
from .test_services import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes() -> Iterator[list[tuple[int, str]]]:
    """Record every call of the seal flow's outcome handler: (instance, status)."""
    calls: list[tuple[int, str]] = []
    services.register_outcome_handler(
        "seal", lambda instance: calls.append((instance.pk, instance.status))
    )
    yield calls
    services.unregister_outcome_handler("seal")


def approved(people: dict[str, User], *, allow_revoke: bool = True) -> FlowInstance:
    """Return alice's request, approved by bob then carol."""
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
        allow_revoke=allow_revoke,
    )
    instance = services.instance_start(
        flow_code="seal", form={"copies": 2}, by=people["alice"], title="购销合同用印"
    )
    for name in ("bob", "carol"):
        services.instance_act(instance_id=instance.pk, kind="approve", by=people[name])
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED
    return instance


def codes(error: DomainError) -> set[str | None]:
    """Return the code of a refusal, or the fields of a field-level refusal."""
    if hasattr(error, "error_dict"):
        return set(error.error_dict)
    return {error.code}


def approve_all(revocation: FlowInstance, people: dict[str, User]) -> None:
    for name in ("bob", "carol"):
        services.instance_act(
            instance_id=revocation.pk, kind="approve", by=people[name]
        )


def test_an_approved_revocation_request_revokes_the_original(people, outcomes):
    original = approved(people)
    # A newer version does not change who decides the revocation.
    publish("seal", people["alice"], approver("n1", people["dave"]), allow_revoke=True)

    revocation = instance_revoke_request(
        instance=original, by=people["alice"], reason="合同取消"
    )

    assert revocation.revokes == original
    assert revocation.version == original.version
    assert revocation.title == "Revoke: 购销合同用印"
    assert revocation.form == original.form
    assert revocation.status == FlowInstance.Status.RUNNING
    submit = revocation.actions.get()
    assert (submit.kind, submit.actor, submit.comment) == (
        "submit",
        people["alice"],
        "合同取消",
    )
    assert list(
        revocation.tasks.filter(state="open").values_list(
            "assignee__username", flat=True
        )
    ) == ["bob"]
    assert AuditEntry.objects.filter(
        action="workflow.instance_revoke_request", object_id=str(original.pk)
    ).exists()

    approve_all(revocation, people)

    original.refresh_from_db()
    revocation.refresh_from_db()
    assert revocation.status == FlowInstance.Status.APPROVED
    assert original.status == FlowInstance.Status.REVOKED
    assert original.finished_at == revocation.finished_at
    last = original.actions.order_by("-sequence").first()
    assert last is not None
    assert (last.kind, last.actor, last.on_behalf_of) == (
        "revoke",
        people["alice"],
        None,
    )
    assert last.comment == (
        f"Revocation request no. {revocation.pk} approved: 合同取消"
    )
    assert last.body["reason"] == "合同取消"
    # The handler ran for the approval and for the revocation, never for the
    # revocation request itself.
    assert outcomes == [(original.pk, "approved"), (original.pk, "revoked")]
    assert services.instance_replay(
        instance=original
    ) == services.engine.state_from_dict(original.state)


@pytest.mark.parametrize("ending", ["reject", "withdraw"])
def test_a_rejected_or_withdrawn_revocation_leaves_the_original_approved(
    people, outcomes, ending
):
    original = approved(people)
    revocation = instance_revoke_request(
        instance=original, by=people["alice"], reason="合同取消"
    )

    by = people["bob"] if ending == "reject" else people["alice"]
    services.instance_act(
        instance_id=revocation.pk, kind=ending, by=by, payload={"reason": "不同意"}
    )

    original.refresh_from_db()
    revocation.refresh_from_db()
    assert revocation.status == ("rejected" if ending == "reject" else "withdrawn")
    assert original.status == FlowInstance.Status.APPROVED
    assert not original.actions.filter(kind="revoke").exists()
    assert outcomes == [(original.pk, "approved")]
    # With that request over, the initiator may ask again.
    again = instance_revoke_request(
        instance=original, by=people["alice"], reason="再次申请"
    )
    assert again.status == FlowInstance.Status.RUNNING


def test_instance_act_revoke_starts_the_request_and_never_revokes_at_once(people):
    original = approved(people)

    revocation = services.instance_act(
        instance_id=original.pk,
        kind="revoke",
        by=people["alice"],
        payload={"reason": "合同取消"},
    )

    original.refresh_from_db()
    assert original.status == FlowInstance.Status.APPROVED
    assert revocation.revokes_id == original.pk
    assert revocation.pk != original.pk


def test_each_approver_of_the_revocation_gets_a_work_item_in_turn(people):
    original = approved(people)
    revocation = instance_revoke_request(
        instance=original, by=people["alice"], reason="合同取消"
    )

    def open_items() -> list[str]:
        return list(
            WorkItem.objects.filter(
                target_id=str(revocation.pk), state="open"
            ).values_list("assignee__username", flat=True)
        )

    assert open_items() == ["bob"]
    services.instance_act(instance_id=revocation.pk, kind="approve", by=people["bob"])
    assert open_items() == ["carol"]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("not_initiator", "not_initiator"),
        ("running", "not_approved"),
        ("disallowed", "not_allowed_by_flow"),
        ("no_reason", "reason"),
        ("revocation_itself", "revoke_revocation"),
        ("pending", "revocation_pending"),
    ],
)
def test_revocation_requests_are_refused_and_change_nothing(people, case, code):
    by, reason = people["alice"], "合同取消"
    if case == "running":
        publish("seal", people["alice"], approver("n1", people["bob"]))
        target = services.instance_start(flow_code="seal", form={}, by=by)
    else:
        target = approved(people, allow_revoke=case != "disallowed")
    if case == "not_initiator":
        by = people["bob"]
    elif case == "no_reason":
        reason = "  "
    elif case == "revocation_itself":
        target = instance_revoke_request(instance=target, by=by, reason=reason)
        approve_all(target, people)
        target.refresh_from_db()
    elif case == "pending":
        instance_revoke_request(instance=target, by=by, reason=reason)
    before = snapshot(target)
    revocations = FlowInstance.objects.filter(revokes__isnull=False).count()

    with pytest.raises(DomainError) as caught:
        instance_revoke_request(instance=target, by=by, reason=reason)

    assert code in codes(caught.value)
    assert snapshot(target) == before
    assert FlowInstance.objects.filter(revokes__isnull=False).count() == revocations


def test_the_api_revoke_action_answers_with_the_revocation_request(people):
    original = approved(people)
    api = APIClient()
    api.force_authenticate(people["alice"])
    url = f"/api/workflow/instances/{original.pk}/act/"

    missing = api.post(url, {"kind": "revoke", "payload": {}}, format="json")
    response = api.post(
        url, {"kind": "revoke", "payload": {"reason": "合同取消"}}, format="json"
    )
    second = api.post(
        url, {"kind": "revoke", "payload": {"reason": "再来"}}, format="json"
    )

    assert missing.status_code == 400
    assert "reason" in missing.json()
    assert response.status_code == 200
    data = response.json()
    assert data["revokes"] == original.pk
    assert data["status"] == "running"
    assert [t["assignee_name"] for t in data["open_tasks"]] == ["王博"]
    assert second.status_code == 400
    assert "撤销申请正在审批中" in str(second.json())  # alice reads Chinese
    assert FlowInstance.objects.filter(revokes=original).count() == 1


def test_the_schema_documents_revoking(people):
    api = APIClient()
    api.force_authenticate(people["alice"])

    schema = api.get("/api/schema/", {"format": "json"}).json()

    act = schema["paths"]["/api/workflow/instances/{id}/act/"]["post"]
    assert "revocation request" in act["description"]
    assert "revokes" in schema["components"]["schemas"]["Instance"]["properties"]


# --- two requests at the same instant -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_revocation_requests_at_once_let_exactly_one_start():
    people = org()
    original = approved(people)

    def ask(reason: str) -> Any:
        return lambda: instance_revoke_request(
            instance=original, by=people["alice"], reason=reason
        )

    results = race(ask("第一次"), ask("第二次"))

    assert sorted(status for status, _value in results) == ["error", "ok"]
    error = next(value for status, value in results if status == "error")
    assert error.code == "revocation_pending"
    assert FlowInstance.objects.filter(revokes=original).count() == 1
    revocation = FlowInstance.objects.get(revokes=original)
    assert FlowTask.objects.filter(instance=revocation, state="open").count() == 1
    assert FlowAction.objects.filter(instance=original).count() == 3
