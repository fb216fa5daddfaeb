"""Create the general request types 请示 and 一般事项 (draft and version 1)."""

from django.db import migrations


def create_default_flows(apps, schema_editor):
    from zhiban.workflow.defaults import ensure_general_flows

    ensure_general_flows(
        apps.get_model("workflow", "FlowDefinition"),
        apps.get_model("workflow", "FlowVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_designer_forms_files_revocation")]

    operations = [
        migrations.RunPython(create_default_flows, migrations.RunPython.noop),
    ]
