"""A person chosen in a form field is told why by the field's label, not its key."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import engine, services
from zhiban.workflow.models import FlowAction, FlowInstance, FlowTask

from .conftest import publish

REVIEWER = {"key": "reviewer", "type": "person", "label": "复核人"}


def start(people: dict[str, User]) -> FlowInstance:
    version = publish(
        "review",
        people["alice"],
        {
            "type": "approver",
            "id": "n1",
            "name": "复核",
            "assignees": {"kind": "form_field", "field": "reviewer"},
        },
    )
    version.form_schema = [REVIEWER]
    version.save(update_fields=["form_schema"])
    return services.instance_start(
        flow_code="review",
        form={"reviewer": str(people["carol"].pk)},
        by=people["alice"],
        title="复核申请",
    )


def item_of(task: FlowTask) -> WorkItem:
    item = WorkItem.objects.filter(pk=task.work_item_id or 0).first()
    assert item is not None
    return item


def entered_texts(instance: FlowInstance) -> list[str]:
    return [
        event["text"]
        for action in FlowAction.objects.filter(instance=instance)
        for event in action.events
        if event["kind"] == "entered"
    ]


def test_the_task_its_work_item_and_the_timeline_name_the_label(
    people: dict[str, User],
) -> None:
    instance = start(people)

    task = FlowTask.objects.get(instance=instance)
    assert task.reason == "表单所选：复核人"
    assert item_of(task).reason == "表单所选：复核人"
    assert entered_texts(instance) == ["复核：陈卡（表单所选：复核人）"]


def test_the_migration_rewords_reasons_stored_with_the_key(
    people: dict[str, User],
) -> None:
    # Given an instance stored before the fix: every place says the key.
    instance = start(people)
    task = FlowTask.objects.get(instance=instance)
    old = "表单字段：reviewer"
    FlowTask.objects.filter(pk=task.pk).update(reason=old)
    WorkItem.objects.filter(pk=item_of(task).pk).update(reason=old)
    state: dict[str, Any] = instance.state
    for row in state["tasks"]:
        row["reason"] = old
    FlowInstance.objects.filter(pk=instance.pk).update(state=state)
    for action in FlowAction.objects.filter(instance=instance):
        action.events = [
            {**e, "text": e["text"].replace("表单所选：复核人", old)}
            for e in action.events
        ]
        action.save(update_fields=["events"])
    assert entered_texts(instance) == ["复核：陈卡（表单字段：reviewer）"]

    # When the data migration runs.
    migration = importlib.import_module(
        "zhiban.workflow.migrations.0004_form_field_reasons_by_label"
    )
    migration.reword_reasons(apps, None)

    # Then each place names the label, and the state still replays the same.
    task.refresh_from_db()
    instance.refresh_from_db()
    assert task.reason == "表单所选：复核人"
    assert item_of(task).reason == "表单所选：复核人"
    assert [row["reason"] for row in instance.state["tasks"]] == ["表单所选：复核人"]
    assert entered_texts(instance) == ["复核：陈卡（表单所选：复核人）"]
    replayed = services.instance_replay(instance=instance)
    assert engine.state_to_dict(replayed) == instance.state
