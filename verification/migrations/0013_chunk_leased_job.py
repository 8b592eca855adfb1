"""VerificationChunk is a leased job (jobs.models.LeasedJob): its claim time is started_at in
the model, still the column claimed_at (a rename in the state only); heartbeat_at, finished_at
and failure are added (nullable or with a constant default: no table rewrite)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("verification", "0012_registry_birth_date_drop")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="verificationchunk", old_name="claimed_at", new_name="started_at"
                ),
                migrations.AlterField(
                    model_name="verificationchunk",
                    name="started_at",
                    field=models.DateTimeField(blank=True, db_column="claimed_at", null=True),
                ),
            ]
        ),
        migrations.AddField(
            model_name="verificationchunk",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verificationchunk",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verificationchunk",
            name="failure",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
    ]
