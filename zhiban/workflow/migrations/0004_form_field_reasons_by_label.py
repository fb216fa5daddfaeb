"""Name the form field by its label in the reasons already stored.

Before this, a person chosen in a form field was given the reason "表单字段：
countersigners" (the field's key). The engine now writes "表单所选：会签人" (the
label of the instance's own form version); this rewrites the same words where they
were stored: the tasks, their work items, the engine state and the events of the
action log. Who was chosen, and why, does not change.
"""

import re

from django.db import migrations

OLD = re.compile(r"表单字段：([a-z][a-z0-9_]{0,63})")


def _reword(value, labels):
    """Return the value with every old reason reworded (strings, lists, dicts)."""
    if isinstance(value, str):
        return OLD.sub(lambda m: f"表单所选：{labels.get(m[1]) or m[1]}", value)
    if isinstance(value, list):
        return [_reword(item, labels) for item in value]
    if isinstance(value, dict):
        return {key: _reword(item, labels) for key, item in value.items()}
    return value


def _labels(schema):
    return {
        str(f["key"]): str(f.get("label") or f["key"])
        for f in schema or []
        if isinstance(f, dict) and f.get("key")
    }


def reword_reasons(apps, schema_editor):
    FlowTask = apps.get_model("workflow", "FlowTask")
    FlowInstance = apps.get_model("workflow", "FlowInstance")
    FlowAction = apps.get_model("workflow", "FlowAction")
    WorkItem = apps.get_model("inbox", "WorkItem")
    instance_ids = set(
        FlowTask.objects.filter(reason__startswith="表单字段：").values_list(
            "instance_id", flat=True
        )
    )
    for instance in FlowInstance.objects.filter(pk__in=instance_ids).select_related(
        "version"
    ):
        labels = _labels(instance.version.form_schema)
        instance.state = _reword(instance.state, labels)
        instance.save(update_fields=["state"])
        for task in FlowTask.objects.filter(
            instance=instance, reason__startswith="表单字段："
        ):
            task.reason = _reword(task.reason, labels)[:200]
            task.save(update_fields=["reason"])
            if task.work_item_id:
                WorkItem.objects.filter(
                    pk=task.work_item_id, reason__startswith="表单字段："
                ).update(reason=task.reason)
        for action in FlowAction.objects.filter(instance=instance):
            events = _reword(action.events, labels)
            if events != action.events:
                action.events = events
                action.save(update_fields=["events"])


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0004_workitem_tab_matches_the_order"),
        ("workflow", "0003_default_flows"),
    ]

    operations = [
        migrations.RunPython(reword_reasons, migrations.RunPython.noop),
    ]
