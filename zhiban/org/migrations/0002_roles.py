from django.db import migrations

ROLES = [
    "system_admin",
    "office_director",
    "clerk",
    "supervision_officer",
    "archivist",
    "fleet_manager",
    "driver",
    "department_head",
    "overseeing_leader",
    "principal_leader",
    "employee",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
