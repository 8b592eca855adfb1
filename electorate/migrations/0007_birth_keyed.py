"""The birth date leaves the voter table's clear columns (keys.nik, "the birth date"):
the roll records the voting day it was made for, each voter the keyed hash of its NIK and
birth date and whether it is under 17 on that day. The rows are converted by
candidates/migrations/0013_birth_keyed (the voting days are the elections'), and the clear
column dropped by 0008 after it. On PostgreSQL the columns go to every partition."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("electorate", "0006_voter_partitions")]

    operations = [
        migrations.AddField(
            model_name="voterroll",
            name="voting_day",
            field=models.DateField(blank=True, null=True, verbose_name="hari pemungutan suara"),
        ),
        migrations.AddField(
            model_name="voter",
            name="birth_hash",
            field=models.BinaryField(max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="voter",
            name="minor",
            field=models.BooleanField(null=True),
        ),
    ]
