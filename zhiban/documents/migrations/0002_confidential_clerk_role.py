from django.db import migrations


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="confidential_clerk")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("org", "0002_roles"),
    ]
    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
