"""The lifecycle of a supervision item: issue, sign, plan, report, complete, verify."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox.models import Notification, WorkItem
from zhiban.org.models import User
from zhiban.supervision import services
from zhiban.supervision.lights import Light, light_rule
from zhiban.supervision.models import (
    WORK_KIND,
    ClockProfile,
    Grade,
    ItemNode,
    ItemType,
    Report,
    Step,
    SupervisionItem,
)
from zhiban.supervision.tests.conftest import days, issued_item, new_item

State = SupervisionItem.State
pytestmark = pytest.mark.django_db


def open_items(user: User) -> list[str]:
    return list(
        WorkItem.objects.filter(
            assignee=user, kind=WORK_KIND, state=WorkItem.State.OPEN
        ).values_list("title", flat=True)
    )


def test_a_draft_sends_nothing_until_issued(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = new_item(people, profile)
    assert item.state == State.DRAFT
    assert item.number == ""
    assert not item.nodes.exists()
    assert open_items(people["head"]) == []


def test_issue_numbers_the_item_computes_nodes_and_asks_each_head_to_sign(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    today = timezone.localdate()
    assert item.state == State.ISSUED
    assert item.number == f"督〔{today.year}〕1号"
    assert item.issued_on == today
    keys = list(item.nodes.values_list("key", flat=True))
    assert sorted(keys) == ["arrange", "complete", "report"]
    assert item.next_due_on == item.nodes.get(key="arrange").due_on
    assert len(open_items(people["head"])) == 1
    assert len(open_items(people["safety_head"])) == 1
    second = issued_item(people, profile, title="第二件")
    assert second.number == f"督〔{today.year}〕2号"
    assert AuditEntry.objects.filter(action="supervision.item_issue").count() == 2


def test_the_whole_path_to_closing_with_one_return(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    head, safety, officer = people["head"], people["safety_head"], people["officer"]
    item = services.item_sign(
        item=item,
        by=head,
        arrangement="部长牵头，林波具体负责",
        responsible=people["staff"],
    )
    assert item.state == State.SIGNED
    assert item.responsible == people["staff"]
    assert item.nodes.get(key="arrange").done_at is not None
    assert open_items(head) == []
    assert len(open_items(people["staff"])) == 1  # report the plan
    # The co-department signs for its part; the item's state does not move.
    services.item_sign(item=item, by=safety, arrangement="配合现场检查")
    assert SupervisionItem.objects.get(pk=item.pk).state == State.SIGNED
    assert open_items(safety) == []

    milestone_day = timezone.localdate() + days(4)
    item = services.item_plan(
        item=item,
        by=people["staff"],
        plan="分三步推进",
        milestones=[(milestone_day, "完成排查")],
    )
    assert item.state == State.IN_PROGRESS
    milestone = item.nodes.get(step=Step.MILESTONE)
    assert milestone.due_on == milestone_day
    photo = SimpleUploadedFile(
        "现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"
    )
    report = services.item_report(
        item=item, by=people["staff"], text="排查完成", node=milestone, files=[photo]
    )
    assert report.files.get().content_type == "image/png"
    assert ItemNode.objects.get(pk=milestone.pk).done_at is not None
    services.item_report(item=item, by=safety, text="配合检查了三个工作面")
    assert Notification.objects.filter(recipient=officer, kind=WORK_KIND).count() == 2

    item = services.item_request_completion(
        item=item, by=people["staff"], summary="全部整改到位"
    )
    assert item.state == State.REQUESTED
    assert item.next_due_on is None
    assert light_rule().of(item) == Light.GREEN
    assert len(open_items(officer)) == 1
    assert open_items(people["staff"]) == []

    new_due = timezone.localdate() + days(3)
    item = services.item_return(
        item=item, by=officer, reason="缺少验收材料", due_on=new_due
    )
    assert item.state == State.RETURNED
    assert item.returned_count == 1
    assert item.next_due_on == new_due
    assert open_items(officer) == []
    assert len(open_items(people["staff"])) == 1

    item = services.item_request_completion(
        item=item, by=people["staff"], summary="补充了验收材料"
    )
    item = services.item_close(item=item, by=officer, grade=Grade.GOOD)
    assert item.state == State.CLOSED
    assert item.grade == Grade.GOOD
    assert light_rule().of(item) == Light.NONE
    assert (
        WorkItem.objects.filter(kind=WORK_KIND, state=WorkItem.State.OPEN).count() == 0
    )
    assert list(item.reports.values_list("kind", flat=True)) == [
        Report.Kind.SIGN,
        Report.Kind.SIGN,
        Report.Kind.PLAN,
        Report.Kind.PROGRESS,
        Report.Kind.PROGRESS,
        Report.Kind.COMPLETION,
        Report.Kind.COMPLETION,
    ]
    item = services.item_archive(item=item, by=officer)
    assert item.state == State.ARCHIVED
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [
        "create",
        "issue",
        "sign",
        "sign",
        "plan",
        "report",
        "report",
        "request_completion",
        "return",
        "request_completion",
        "close",
        "archive",
    ]


def test_leader_review_before_issue(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = new_item(people, profile, by=people["officer"])
    item = services.item_submit_review(item=item, by=people["officer"])
    assert item.state == State.REVIEW
    assert len(open_items(people["leader"])) == 1
    with pytest.raises(DomainError) as refused:
        services.item_review(item=item, by=people["leader"], approve=False, opinion="")
    assert refused.value.code == "required"
    item = services.item_review(
        item=item, by=people["leader"], approve=False, opinion="补充要求"
    )
    assert item.state == State.DRAFT
    assert open_items(people["leader"]) == []
    item = services.item_submit_review(item=item, by=people["officer"])
    item = services.item_review(item=item, by=people["leader"], approve=True)
    assert item.state == State.ISSUED
    assert item.sequence == 1


# --- bad input ------------------------------------------------------------------------


def refused(code: str, call: Any, **arguments: Any) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(**arguments)
    assert error.value.code == code, error.value
    return error.value


def test_deadline_before_the_issue_day_is_refused(
    people: dict[str, User], profile: ClockProfile
) -> None:
    error = refused(
        "deadline_before_issue",
        new_item,
        people=people,
        profile=profile,
        deadline=timezone.localdate() - days(1),
    )
    assert "before the day the item is issued" in str(error.message_dict["deadline"])
    assert not SupervisionItem.objects.exists()


def test_department_without_head_is_refused_by_name(
    people: dict[str, User], profile: ClockProfile
) -> None:
    error = refused(
        "department_without_head",
        new_item,
        people=people,
        profile=profile,
        co_departments=[people["outsider"].primary_department],
    )
    assert "无负责人部门" in str(error.message_dict["lead_department"])
    assert not SupervisionItem.objects.exists()


def test_a_head_who_leaves_before_issue_is_caught_at_issue(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = new_item(people, profile)
    people["safety_head"].is_active = False
    people["safety_head"].save()
    refused(
        "department_without_head", services.item_issue, item=item, by=people["leader"]
    )
    item.refresh_from_db()
    assert item.state == State.DRAFT
    assert item.sequence is None
    assert not item.nodes.exists()


def test_feedback_on_a_closed_item_is_refused(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_request_completion(item=item, by=people["head"], summary="完成")
    services.item_close(item=item, by=people["officer"], grade=Grade.PASS)
    error = refused(
        "item_closed", services.item_report, item=item, by=people["head"], text="补充"
    )
    assert "no more progress reports" in error.messages[0]
    assert item.reports.filter(text="补充").count() == 0


def test_fail_grade_needs_a_reason(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_request_completion(item=item, by=people["head"], summary="完成")
    refused(
        "required",
        services.item_close,
        item=item,
        by=people["officer"],
        grade=Grade.FAIL,
    )
    assert SupervisionItem.objects.get(pk=item.pk).state == State.REQUESTED
    item = services.item_close(
        item=item, by=people["officer"], grade=Grade.FAIL, reason="未整改到位"
    )
    assert item.grade_reason == "未整改到位"


def test_only_the_departments_answer(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    with pytest.raises(PermissionDeniedError):
        services.item_sign(item=item, by=people["outsider"], arrangement="x")
    with pytest.raises(PermissionDeniedError):
        services.item_create(
            by=people["staff"],
            title="t",
            content="c",
            lead_department=people["head"].primary_department,  # type: ignore[arg-type]
            leader=people["leader"],
            officer=people["officer"],
            profile=profile,
        )


def test_signing_twice_and_acting_out_of_turn_are_refused(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    refused(
        "wrong_state", services.item_plan, item=item, by=people["head"], plan="先计划"
    )
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    refused(
        "already_signed",
        services.item_sign,
        item=item,
        by=people["head"],
        arrangement="again",
    )
    refused(
        "wrong_state",
        services.item_close,
        item=item,
        by=people["officer"],
        grade=Grade.GOOD,
    )


def test_milestones_are_checked(people: dict[str, User], profile: ClockProfile) -> None:
    item = issued_item(people, profile, deadline=timezone.localdate() + days(20))
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    today = timezone.localdate()
    refused(
        "milestone_past",
        services.item_plan,
        item=item,
        by=people["head"],
        plan="p",
        milestones=[(today - days(1), "a")],
    )
    refused(
        "milestone_after_deadline",
        services.item_plan,
        item=item,
        by=people["head"],
        plan="p",
        milestones=[(today + days(30), "a")],
    )
    refused(
        "milestone_label",
        services.item_plan,
        item=item,
        by=people["head"],
        plan="p",
        milestones=[(today + days(2), " ")],
    )
    assert SupervisionItem.objects.get(pk=item.pk).state == State.SIGNED


def test_a_bad_attachment_is_refused_before_anything_is_written(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_plan(item=item, by=people["head"], plan="p")
    script = SimpleUploadedFile("report.exe", b"MZ\x90\x00" + b"\x00" * 100)
    refused(
        "file_type",
        services.item_report,
        item=item,
        by=people["head"],
        text="进展",
        files=[script],
    )
    assert not item.reports.filter(kind=Report.Kind.PROGRESS).exists()


def test_continuing_item_reports_periodically(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(
        people, profile, item_type=ItemType.CONTINUING, report_cycle="weekly"
    )
    report = item.nodes.get(step=Step.REPORT)
    assert report.due_on >= timezone.localdate() + days(7)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_plan(item=item, by=people["head"], plan="长期推进")
    services.item_report(item=item, by=people["head"], text="本周进展", node=report)
    reports = item.nodes.filter(step=Step.REPORT).order_by("key")
    assert [(node.key, node.done_at is None) for node in reports] == [
        ("report-1", False),
        ("report-2", True),
    ]


def test_continuing_item_needs_a_clock(
    people: dict[str, User], profile: ClockProfile
) -> None:
    refused(
        "continuing_without_clock",
        new_item,
        people=people,
        profile=profile,
        item_type=ItemType.CONTINUING,
    )


def test_manual_urge_reaches_handler_and_head_and_pauses(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile, responsible=people["staff"])
    services.item_urge(item=item, by=people["officer"], note="请抓紧")
    recipients = set(
        Notification.objects.filter(title__startswith="Urged").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"staff", "head"}
    refused("urged_recently", services.item_urge, item=item, by=people["officer"])
    with pytest.raises(PermissionDeniedError):
        services.item_urge(item=item, by=people["staff"])


def test_lights_follow_the_dates(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    arrange = item.nodes.get(key="arrange").due_on
    assert light_rule(today=arrange - days(5)).of(item) == Light.GREEN
    assert light_rule(today=arrange).of(item) == Light.YELLOW
    assert light_rule(today=arrange + days(1)).of(item) == Light.RED
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    item.refresh_from_db()
    assert item.next_due_on == item.nodes.get(key="report").due_on
    assert isinstance(item.next_due_on, datetime.date)


def test_work_items_are_due_by_their_node_and_left_to_the_ladder(
    people: dict[str, User], profile: ClockProfile
) -> None:
    from zhiban.inbox import services as inbox

    item = issued_item(people, profile)
    arrange = item.nodes.get(key="arrange").due_on
    work = WorkItem.objects.get(assignee=people["head"], kind=WORK_KIND)
    assert work.due_at is not None
    assert timezone.localtime(work.due_at).date() == arrange
    # The to-do centre's own reminder and escalation skip it: the ladder does that.
    later = work.due_at + datetime.timedelta(days=3)
    assert (
        inbox.work_items_remind_due(now=work.due_at - datetime.timedelta(hours=1)) == 0
    )
    assert inbox.work_items_escalate_overdue(now=later) == 0
