"""AdminRun/AdminChunk/AdminResult read like Django's admin: they are the runs, chunks and
results of administrative verification. DuplicateFlag also carries name mismatches: ReasonFlag."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0002_supportupload_heartbeat_at"),
        ("verification", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("AdminRun", "VerificationRun"),
        migrations.RenameModel("AdminChunk", "VerificationChunk"),
        migrations.RenameModel("AdminResult", "VerificationResult"),
        migrations.RenameModel("DuplicateFlag", "ReasonFlag"),
        migrations.RenameIndex(
            "verificationrun", new_name="verification_run_latest", old_name="adminrun_latest"
        ),
        migrations.RenameIndex(
            "verificationresult", new_name="verification_result_recap", old_name="adminresult_recap"
        ),
        migrations.RenameIndex(
            "reasonflag", new_name="reasonflag_run_supporter", old_name="dupflag_run_supporter"
        ),
        migrations.RemoveConstraint("verificationchunk", "adminchunk_unique_seq"),
        migrations.AddConstraint(
            "verificationchunk",
            models.UniqueConstraint(fields=["run", "seq"], name="verification_chunk_unique_seq"),
        ),
        migrations.AlterField(
            model_name="verificationresult",
            name="supporter",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="verification",
                serialize=False,
                to="candidates.supporter",
            ),
        ),
        migrations.AlterField(
            model_name="verificationrun",
            name="pair",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="verification_runs",
                to="candidates.pair",
            ),
        ),
    ]
