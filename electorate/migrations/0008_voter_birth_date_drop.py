"""The clear birth date of the voters, converted by candidates 0013, goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("electorate", "0007_birth_keyed"),
        ("candidates", "0013_birth_keyed"),
        ("verification", "0012_registry_birth_date_drop"),
    ]

    operations = [migrations.RemoveField(model_name="voter", name="birth_date")]
