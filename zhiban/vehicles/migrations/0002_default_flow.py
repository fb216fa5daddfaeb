"""Create the default vehicle-use flow 用车申请 (draft and version 1)."""

from django.db import migrations


def create_default_flow(apps, schema_editor):
    from zhiban.vehicles.defaults import ensure_default_flow

    ensure_default_flow(
        apps.get_model("workflow", "FlowDefinition"),
        apps.get_model("workflow", "FlowVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("vehicles", "0001_initial"),
        ("workflow", "0002_designer_forms_files_revocation"),
    ]

    operations = [
        migrations.RunPython(create_default_flow, migrations.RunPython.noop),
    ]
