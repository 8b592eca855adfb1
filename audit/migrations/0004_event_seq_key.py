"""Each event's position in its chain and the id of the audit key its link is made with
(filled for the events already there by 0005)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_chain")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="event",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
