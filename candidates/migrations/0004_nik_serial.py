from django.db import migrations, models


def shown_less(apps, schema_editor):
    """Rows kept before this migration: the mask loses its serial (3171********0001 ->
    3171************) and the serial is kept shifted by a keyed offset (electorate.nik)."""
    from electorate.nik import nik_decrypt, nik_mask, nik_serial_code

    Supporter = apps.get_model("candidates", "Supporter")
    batch = []
    for row in Supporter.objects.only("pk", "nik_cipher").iterator(chunk_size=5000):
        nik = nik_decrypt(bytes(row.nik_cipher))
        row.nik_masked, row.nik_serial = nik_mask(nik), nik_serial_code(nik)
        batch.append(row)
        if len(batch) >= 5000:
            Supporter.objects.bulk_update(batch, ["nik_masked", "nik_serial"])
            batch = []
    if batch:
        Supporter.objects.bulk_update(batch, ["nik_masked", "nik_serial"])


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0003_verfak_windows"),
    ]

    operations = [
        migrations.AddField(
            model_name="supporter",
            name="nik_serial",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(shown_less, migrations.RunPython.noop),
    ]
