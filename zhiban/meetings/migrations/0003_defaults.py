"""Create the equipment list and the default booking approval flow (会议室预订审批)."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhiban.meetings.defaults import ensure_booking_flow, ensure_equipment

    ensure_equipment(apps.get_model("meetings", "Equipment"))
    ensure_booking_flow(
        apps.get_model("workflow", "FlowDefinition"),
        apps.get_model("workflow", "FlowVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_no_overlap"),
        ("workflow", "0002_designer_forms_files_revocation"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
