"""The stored list counts now keep superseded records apart, and the share flags place each
supporter as the recap does (verification.placement): what was stored under the old rules is
emptied, and the next read computes it again (verification.derived)."""

from django.db import migrations


def empty(apps, schema_editor):
    apps.get_model("verification", "RunDerived").objects.update(counts=None, flags=None)


class Migration(migrations.Migration):
    dependencies = [("verification", "0008_result_moved")]

    operations = [migrations.RunPython(empty, migrations.RunPython.noop)]
