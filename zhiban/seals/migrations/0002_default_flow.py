"""Create the default seal-use flow 用印申请 (draft and version 1)."""

from django.db import migrations


def create_default_flow(apps, schema_editor):
    from zhiban.seals.defaults import ensure_default_flow

    ensure_default_flow(
        apps.get_model("workflow", "FlowDefinition"),
        apps.get_model("workflow", "FlowVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("seals", "0001_initial"),
        ("workflow", "0002_designer_forms_files_revocation"),
    ]

    operations = [
        migrations.RunPython(create_default_flow, migrations.RunPython.noop),
    ]
