"""Incoming handling (收文办理): check, proposal, instruction, replies, completion."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import services
from zhiban.documents.models import INCOMING_WORK_KIND, Document, IncomingStep, Stage
from zhiban.inbox.models import Notification, WorkItem
from zhiban.org.tests.factories import DepartmentFactory, UserFactory, make_head

from .conftest import incoming


@pytest.fixture
def cast(org):
    leader = UserFactory(
        username="leader", name="张总", primary_department=org["office"]
    )
    production_head = make_head(
        UserFactory(
            username="prodhead", name="冯涛", primary_department=org["production"]
        )
    )
    safety = DepartmentFactory(unit=org["hq"], code="SAF", name="安全监察部")
    safety_head = make_head(
        UserFactory(username="safehead", name="宋健", primary_department=safety)
    )
    return {
        "leader": leader,
        "production_head": production_head,
        "safety": safety,
        "safety_head": safety_head,
    }


def open_holders() -> list[tuple[str, str]]:
    return sorted(
        (item.assignee.username, item.title.split("：")[0])
        for item in WorkItem.objects.filter(
            kind=INCOMING_WORK_KIND, state=WorkItem.State.OPEN
        ).select_related("assignee")
    )


def walk_to(stage: str, org, cast, document=None):
    people = org["people"]
    document = document or incoming(org, urgency="加急")
    if stage == Stage.CHECK:
        return document
    services.incoming_check(document=document, by=people["clerk"], passed=True)
    if stage == Stage.PROPOSE:
        return document
    services.incoming_propose(
        document=document,
        by=people["clerk"],
        proposal="建议请张总阅示，生产技术部牵头办理。",
        leader=cast["leader"],
    )
    if stage == Stage.INSTRUCT:
        return document
    services.incoming_instruct(
        document=document,
        by=cast["leader"],
        instruction="请生产技术部牵头，安全监察部配合，月底前报结果。",
        lead=org["production"],
        co_departments=[cast["safety"]],
        deadline=datetime.date.today() + datetime.timedelta(days=10),
    )
    return document


def test_registering_opens_the_first_check_for_the_clerk(org):
    document = incoming(org)

    assert document.stage == Stage.CHECK
    assert open_holders() == [("clerk", "First check: 关于做好冬季安全生产工作的通知")]


def test_the_whole_path_moves_the_turn_from_person_to_person(org, people, cast):
    document = walk_to(Stage.HANDLE, org, cast)

    document.refresh_from_db()
    assert document.stage == Stage.HANDLE
    holders = open_holders()
    assert [h[0] for h in holders] == ["prodhead", "safehead"]
    roles = dict(
        IncomingStep.objects.filter(stage=Stage.HANDLE).values_list(
            "assignee__username", "role"
        )
    )
    assert roles == {"prodhead": "lead", "safehead": "co"}

    services.incoming_reply(
        document=document, by=cast["safety_head"], reply="已配合完成检查。"
    )
    assert Document.objects.get().stage == Stage.HANDLE
    services.incoming_reply(
        document=document, by=cast["production_head"], reply="已完成整改并报集团。"
    )
    assert Document.objects.get().stage == Stage.COMPLETE
    assert [h[0] for h in open_holders()] == ["clerk"]

    services.incoming_complete(
        document=document,
        by=people["clerk"],
        reply_to_sender="已书面答复省应急管理厅。",
    )
    document.refresh_from_db()
    assert (document.stage, document.state) == (Stage.DONE, Document.State.CLOSED)
    assert open_holders() == []
    assert [e.kind for e in document.events.all()][-6:] == [
        "incoming_check",
        "incoming_propose",
        "incoming_instruct",
        "incoming_reply",
        "incoming_reply",
        "incoming_complete",
    ]


def test_a_document_returned_at_the_first_check_needs_reasons_and_ends(org, people):
    document = incoming(org)

    with pytest.raises(DomainError) as no_reason:
        services.incoming_check(document=document, by=people["clerk"], passed=False)
    assert "reasons" in no_reason.value.message_dict
    services.incoming_check(
        document=document, by=people["clerk"], passed=False, reasons="非本单位办理事项"
    )

    document.refresh_from_db()
    assert (document.stage, document.state) == (Stage.RETURNED, Document.State.CLOSED)
    assert open_holders() == []


def test_acting_on_a_step_that_has_moved_on_is_refused_and_changes_nothing(
    org, people, cast
):
    document = walk_to(Stage.INSTRUCT, org, cast)
    before = IncomingStep.objects.count()

    with pytest.raises(DomainError, match="moved on") as late:
        services.incoming_check(document=document, by=people["clerk"], passed=True)

    assert late.value.code == "stage_moved_on"
    assert IncomingStep.objects.count() == before


def test_only_the_named_leader_instructs(org, people, cast):
    document = walk_to(Stage.INSTRUCT, org, cast)

    with pytest.raises(PermissionDeniedError, match="not your turn"):
        services.incoming_instruct(
            document=document,
            by=people["engineer"],
            instruction="越权批示",
            lead=org["production"],
        )
    assert Document.objects.get().stage == Stage.INSTRUCT


def test_a_department_without_a_head_is_named_in_the_refusal(org, cast):
    document = walk_to(Stage.INSTRUCT, org, cast)
    headless = DepartmentFactory(unit=org["hq"], code="NOH", name="纪委办公室")

    with pytest.raises(DomainError, match="纪委办公室") as refused:
        services.incoming_instruct(
            document=document,
            by=cast["leader"],
            instruction="请纪委办公室办理。",
            lead=headless,
        )
    assert "lead" in refused.value.message_dict
    assert Document.objects.get().stage == Stage.INSTRUCT


def test_a_past_deadline_is_refused(org, cast):
    document = walk_to(Stage.INSTRUCT, org, cast)

    with pytest.raises(DomainError) as refused:
        services.incoming_instruct(
            document=document,
            by=cast["leader"],
            instruction="请办理。",
            lead=org["production"],
            deadline=datetime.date(2020, 1, 1),
        )
    assert "deadline" in refused.value.message_dict


def test_the_handling_work_items_carry_the_deadline_and_the_urgency(org, cast):
    walk_to(Stage.HANDLE, org, cast)

    items = WorkItem.objects.filter(kind=INCOMING_WORK_KIND, state=WorkItem.State.OPEN)
    assert {item.urgency for item in items} == {1}  # 加急
    deadline = Document.objects.get().deadline
    assert {item.due_at.date() for item in items} == {deadline}


def test_urging_notifies_everyone_holding_a_step(org, people, cast):
    document = walk_to(Stage.HANDLE, org, cast)

    count = services.incoming_urge(
        document=document, by=people["clerk"], note="请抓紧办理"
    )

    assert count == 2
    urged = Notification.objects.filter(kind="document_urge")
    assert sorted(n.recipient.username for n in urged) == ["prodhead", "safehead"]
    with pytest.raises(PermissionDeniedError):
        services.incoming_urge(document=document, by=people["engineer"])


# --- working-day time limits (工作日) ---------------------------------------------------


def test_each_step_is_due_by_its_working_day_limit(org, people, cast):
    from zhiban.org.workdays import add_working_days

    today = timezone.localdate()
    urgent = incoming(org, urgency="加急")
    normal = incoming(org, title="关于报送统计报表的通知", urgency="")
    urgent_check = IncomingStep.objects.get(document=urgent, stage=Stage.CHECK)
    normal_check = IncomingStep.objects.get(document=normal, stage=Stage.CHECK)
    assert urgent_check.due_on == add_working_days(today, 1)
    assert normal_check.due_on == add_working_days(today, 2)
    item = WorkItem.objects.get(target_id=str(normal_check.pk), kind=INCOMING_WORK_KIND)
    assert item.due_at is not None
    assert timezone.localtime(item.due_at).date() == normal_check.due_on


def test_an_override_moves_the_limit(org, people, cast):
    from zhiban.org.models import WorkingDayOverride
    from zhiban.org.workdays import add_working_days

    today = timezone.localdate()
    first = add_working_days(today, 1)
    WorkingDayOverride.objects.create(day=first, is_working_day=False, note="停电")
    document = incoming(org, urgency="加急")
    step = IncomingStep.objects.get(document=document, stage=Stage.CHECK)
    assert step.due_on == add_working_days(today, 1)
    assert step.due_on != first


def test_handling_without_a_deadline_gets_the_working_day_default(org, people, cast):
    from zhiban.org.workdays import add_working_days

    document = incoming(org, urgency="")
    services.incoming_check(document=document, by=people["clerk"], passed=True)
    services.incoming_propose(
        document=document, by=people["clerk"], proposal="请阅示", leader=cast["leader"]
    )
    services.incoming_instruct(
        document=document,
        by=cast["leader"],
        instruction="请生产技术部办理。",
        lead=org["production"],
    )
    document.refresh_from_db()
    expected = add_working_days(timezone.localdate(), 10)
    assert document.deadline == expected
    step = IncomingStep.objects.get(document=document, stage=Stage.HANDLE)
    assert step.due_on == expected


def test_a_step_is_never_due_after_the_documents_deadline(org, people, cast):

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    document = incoming(org, urgency="", deadline=tomorrow)
    step = IncomingStep.objects.get(document=document, stage=Stage.CHECK)
    assert step.due_on <= tomorrow


def test_the_leader_sees_the_default_deadline_in_the_form(org, people, cast):
    from django.test import Client
    from django.urls import reverse

    from zhiban.org.workdays import add_working_days

    document = walk_to(
        Stage.INSTRUCT, org, cast, document=incoming(org, urgency="特急")
    )
    client = Client()
    client.force_login(cast["leader"])
    page = client.get(reverse("documents:detail", args=[document.pk]))
    form = page.context["handling"]["form"]
    assert form.initial["deadline"] == add_working_days(timezone.localdate(), 2)
