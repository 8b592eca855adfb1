from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_upload_purged_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="election",
            name="scale_note",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="catatan skala data"
            ),
        ),
    ]
