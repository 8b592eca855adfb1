"""The pre-check's flagged rows out of SupportUpload.precheck into a field of their own, which
the manager defers: up to 200,000 [row, bits] pairs were read with every list of uploads."""

from django.db import migrations, models


def flags_out(apps, schema_editor):
    SupportUpload = apps.get_model("candidates", "SupportUpload")
    for upload in SupportUpload.objects.filter(precheck__has_key="flags").iterator(chunk_size=50):
        report = dict(upload.precheck)
        upload.precheck_flags = report.pop("flags") or []
        upload.precheck = report
        upload.save(update_fields=["precheck", "precheck_flags"])


def flags_in(apps, schema_editor):
    SupportUpload = apps.get_model("candidates", "SupportUpload")
    for upload in SupportUpload.objects.iterator(chunk_size=50):
        if not upload.precheck_flags:
            continue
        upload.precheck = {**upload.precheck, "flags": upload.precheck_flags}
        upload.save(update_fields=["precheck"])


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0016_supportupload_precheck"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportupload",
            name="precheck_flags",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(flags_out, flags_in),
    ]
