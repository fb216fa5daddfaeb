"""Service checklists (会务任务清单) and contingency plans (应急预案)."""

from __future__ import annotations

import pytest

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox.models import Notification, WorkItem
from zhiban.meetings import services
from zhiban.meetings.models import (
    ChecklistTask,
    ChecklistTemplate,
    ContingencyPlan,
    Meeting,
    MeetingType,
    Room,
)
from zhiban.org.models import Membership, User
from zhiban.org.tests.factories import UserFactory

from .conftest import NOW, at
from .test_meetings import make_meeting


@pytest.fixture
def meeting(people: dict[str, User], room: Room) -> Meeting:
    return make_meeting(people, room, meeting_type=MeetingType.PARTY_COMMITTEE)


def _open_items() -> list[tuple[str, str]]:
    return sorted(
        WorkItem.objects.filter(state=WorkItem.State.OPEN).values_list(
            "assignee__username", "title"
        )
    )


def test_without_a_template_the_usual_list_goes_to_the_organiser(
    people: dict[str, User], meeting: Meeting
) -> None:
    tasks = services.checklist_apply(meeting=meeting, by=people["organiser"])

    assert len(tasks) == 8
    assert {task.assignee for task in tasks} == {people["organiser"]}
    seating = next(task for task in tasks if task.title == "Seating plan")
    assert seating.due_at == at(4, 9)  # a day before 09:00 on the 5th
    assert len(_open_items()) == 8


def test_a_template_task_goes_to_its_departments_head(
    people: dict[str, User], meeting: Meeting
) -> None:
    office = people["director"].primary_department
    head = UserFactory(username="head", primary_department=office)
    Membership.objects.update_or_create(
        user=head, department=office, defaults={"is_head": True}
    )
    ChecklistTemplate.objects.create(
        meeting_type=MeetingType.PARTY_COMMITTEE,
        title="桌签摆放",
        department=office,
        hours_before=3,
    )

    [task] = services.checklist_apply(meeting=meeting, by=people["organiser"])

    assert (task.title, task.assignee, task.due_at) == ("桌签摆放", head, at(5, 6))
    assert _open_items() == [("head", "Meeting service: 桌签摆放 for “安全生产专题会”")]
    with pytest.raises(DomainError, match="already has its service checklist"):
        services.checklist_apply(meeting=meeting, by=people["organiser"])


def test_ticking_off_closes_the_work_item(
    people: dict[str, User], meeting: Meeting
) -> None:
    task = services.checklist_add(
        meeting=meeting,
        by=people["organiser"],
        title="茶水",
        assignee=people["manager"],
        due_at=at(5, 8),
    )
    with pytest.raises(PermissionDeniedError):
        services.checklist_tick(task=task, by=people["other"], now=NOW)

    done = services.checklist_tick(task=task, by=people["manager"], now=NOW)

    assert (done.done_at, done.done_by) == (NOW, people["manager"])
    assert _open_items() == []
    assert ChecklistTask.objects.get().done_at == NOW


def test_a_contingency_plan_is_attached_once_and_its_owner_told(
    people: dict[str, User], meeting: Meeting
) -> None:
    plan = ContingencyPlan.objects.get(title="停电应急预案")

    services.contingency_attach(
        meeting=meeting, by=people["organiser"], plan=plan, owner=people["manager"]
    )

    assert Notification.objects.filter(
        recipient=people["manager"], title__contains="停电应急预案"
    ).exists()
    with pytest.raises(DomainError, match="already attached"):
        services.contingency_attach(
            meeting=meeting, by=people["organiser"], plan=plan, owner=people["other"]
        )
    with pytest.raises(PermissionDeniedError):
        services.contingency_attach(
            meeting=meeting,
            by=people["other"],
            plan=ContingencyPlan.objects.get(title="突发疾病应急预案"),
            owner=people["other"],
        )
    assert meeting.contingencies.count() == 1
