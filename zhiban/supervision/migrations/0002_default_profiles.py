"""Create the clock profiles Zhiban ships: 13710 and 1-3-7-10 (editable data)."""

from django.db import migrations


def create_profiles(apps, schema_editor):
    from zhiban.supervision.defaults import ensure_profiles

    ensure_profiles(apps.get_model("supervision", "ClockProfile"))


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(create_profiles, migrations.RunPython.noop)]
