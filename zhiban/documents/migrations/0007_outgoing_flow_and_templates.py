"""Create the default outgoing flow 发文审批 and the shipped draft templates."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from zhiban.documents.defaults import ensure_default_flow, ensure_templates

    ensure_default_flow(
        apps.get_model("workflow", "FlowDefinition"),
        apps.get_model("workflow", "FlowVersion"),
    )
    ensure_templates(apps.get_model("documents", "DraftTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_outgoing"),
        ("workflow", "0003_default_flows"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
