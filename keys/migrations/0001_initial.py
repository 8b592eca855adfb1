"""KeyState moves here from electorate (issue 20) with its table, electorate_keystate: only
Django's idea of which app owns it changes (electorate 0009 drops it from electorate's state),
and its content type follows, so its permissions stay."""

from django.db import migrations, models


def content_type_move(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="keys", model="keystate").exists():
        content_type.objects.filter(app_label="electorate", model="keystate").update(
            app_label="keys"
        )


def content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="electorate", model="keystate").exists():
        content_type.objects.filter(app_label="keys", model="keystate").update(
            app_label="electorate"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("electorate", "0008_voter_birth_date_drop"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KeyState",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("hmac_chain", models.JSONField(default=list)),
                        ("version", models.PositiveIntegerField(default=0)),
                        ("rotated_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "status kunci NIK",
                        "verbose_name_plural": "status kunci NIK",
                        "db_table": "electorate_keystate",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("pk", 1)), name="keystate_one_row"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_back),
    ]
