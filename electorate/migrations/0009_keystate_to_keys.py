"""KeyState now belongs to the keys app (keys 0001, issue 20): its table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("electorate", "0008_voter_birth_date_drop"),
        ("keys", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="KeyState")],
            database_operations=[],
        )
    ]
