"""Service checklists (会务任务清单) and contingency plans (应急预案) of a meeting.

A meeting type keeps a template of tasks as data (``ChecklistTemplate``, in the
admin); without one the office's usual list (``DEFAULT_TASKS``) is used. Each
task is a work item of its owner, closed when it is ticked off. A contingency plan
from the library is attached with the person who owns it, who is told.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox import services as inbox
from zhiban.meetings import policies
from zhiban.meetings.models import (
    WORK_KIND,
    ChecklistTask,
    ChecklistTemplate,
    ContingencyPlan,
    Meeting,
    MeetingContingency,
)
from zhiban.meetings.services.rules import _text
from zhiban.org.models import User
from zhiban.org.selectors import department_head_for

# (task, hours before the start): the office's usual list when a type has none.
DEFAULT_TASKS: tuple[tuple[str, int], ...] = (
    (gettext_noop("Venue and equipment checked"), 24),  # 会场及设备检查
    (gettext_noop("Signage and name plates"), 4),  # 指引牌、桌签
    (gettext_noop("Seating plan"), 24),  # 座次安排
    (gettext_noop("Materials printed"), 24),  # 材料印制
    (gettext_noop("Tea and catering"), 2),  # 茶水、餐饮
    (gettext_noop("Vehicles"), 24),  # 车辆
    (gettext_noop("Security and access"), 2),  # 安保
    (gettext_noop("Recording"), 1),  # 录音录像
)


def _manage(by: User, meeting: Meeting) -> None:
    if not policies.can_manage_meeting(by, meeting):
        raise PermissionDeniedError(
            _("Only the organiser or the office changes this meeting.")
        )


def _open_task_item(task: ChecklistTask, meeting: Meeting, by: User) -> None:
    inbox.work_item_open(
        assignee=task.assignee,
        kind=WORK_KIND,
        title=_("Meeting service: %(task)s for “%(title)s”")
        % {"task": task.title, "title": meeting.title},
        target=task,
        url=reverse("meetings:meeting", args=[meeting.pk]),
        initiator=by,
        due_at=task.due_at,
    )


def checklist_apply(*, meeting: Meeting, by: User) -> list[ChecklistTask]:
    """Make the meeting's service tasks from its type's template, each a work item.

    A task of a department goes to its head; one without to the organiser.
    """
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _manage(by, locked)
        if locked.checklist.exists():
            raise DomainError(
                _("This meeting already has its service checklist."), code="exists"
            )
        templates = list(
            ChecklistTemplate.objects.filter(
                meeting_type=locked.meeting_type
            ).select_related("department")
        )
        specs = [
            (
                t.title,
                (department_head_for(t.department) if t.department else None),
                t.hours_before,
            )
            for t in templates
        ] or [(_(title), None, hours) for title, hours in DEFAULT_TASKS]
        tasks = []
        for position, (title, owner, hours) in enumerate(specs):
            task = ChecklistTask.objects.create(
                meeting=locked,
                title=title[:100],
                assignee=owner or locked.organiser,
                due_at=locked.starts_at - datetime.timedelta(hours=hours),
                position=position,
            )
            _open_task_item(task, locked, by)
            tasks.append(task)
        audit_record(
            actor=by,
            action="meetings.checklist_apply",
            target=locked,
            data={"tasks": len(tasks)},
        )
    return tasks


def checklist_add(
    *,
    meeting: Meeting,
    by: User,
    title: str,
    assignee: User,
    due_at: datetime.datetime,
) -> ChecklistTask:
    """Add one service task to the meeting's checklist."""
    title = _text(title, "title", limit=100)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _manage(by, locked)
        task = ChecklistTask.objects.create(
            meeting=locked,
            title=title,
            assignee=assignee,
            due_at=due_at,
            position=locked.checklist.count(),
        )
        _open_task_item(task, locked, by)
    return task


def checklist_tick(
    *, task: ChecklistTask, by: User, now: datetime.datetime | None = None
) -> ChecklistTask:
    """Tick a task off (its owner, the organiser or the office); its work item closes."""
    moment = now or timezone.now()
    with transaction.atomic():
        locked = (
            ChecklistTask.objects.select_for_update(of=("self",))
            .select_related("meeting")
            .get(pk=task.pk)
        )
        if by.pk != locked.assignee_id and not policies.can_manage_meeting(
            by, locked.meeting
        ):
            raise PermissionDeniedError(
                _("Only the task's owner or the organiser ticks it off.")
            )
        if locked.done_at is None:
            locked.done_at = moment
            locked.done_by = by
            locked.save(update_fields=["done_at", "done_by", "updated_at"])
            inbox.work_items_close_for(target=locked, kind=WORK_KIND, by=by)
            audit_record(
                actor=by,
                action="meetings.checklist_tick",
                target=locked.meeting,
                data={"task": locked.pk},
            )
    return locked


def contingency_attach(
    *, meeting: Meeting, by: User, plan: ContingencyPlan, owner: User
) -> MeetingContingency:
    """Attach a contingency plan to the meeting with its owner, who is told."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _manage(by, locked)
        if not plan.is_active:
            raise DomainError(
                {"plan": [_("This contingency plan is no longer in use.")]},
                code="inactive",
            )
        if MeetingContingency.objects.filter(meeting=locked, plan=plan).exists():
            raise DomainError(
                {"plan": [_("This plan is already attached to the meeting.")]},
                code="exists",
            )
        row = MeetingContingency.objects.create(meeting=locked, plan=plan, owner=owner)
        inbox.notify(
            recipient=owner,
            kind=WORK_KIND,
            title=_("You own the plan “%(plan)s” for “%(title)s”")
            % {"plan": plan.title, "title": locked.title},
            url=reverse("meetings:meeting", args=[locked.pk]),
        )
        audit_record(
            actor=by,
            action="meetings.contingency_attach",
            target=locked,
            data={"plan": plan.pk, "owner": owner.pk},
        )
    return row
