"""Create the default extension flow 督办事项延期申请 (draft and version 1)."""

from django.db import migrations


def create_flow(apps, schema_editor):
    from zhiban.supervision.defaults import ensure_extension_flow

    ensure_extension_flow(
        apps.get_model("workflow", "FlowDefinition"),
        apps.get_model("workflow", "FlowVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_extension"),
        ("workflow", "0002_designer_forms_files_revocation"),
    ]

    operations = [migrations.RunPython(create_flow, migrations.RunPython.noop)]
