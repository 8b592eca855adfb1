import base64

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import migrations, models


def keyed_and_shown_less(apps, schema_editor):
    """Rows kept before this migration had a ciphertext with no key id and no binding to its
    row (nonce + AES-GCM under the single NIK_ENCRYPTION_KEY) and a mask that showed the
    serial. Each row gets a keyed ciphertext bound to its upload and row, the mask 3171****...
    and the serial shifted by a keyed offset (keys.keyring, keys.nik)."""
    from keys.nik import nik_encrypt, nik_mask, nik_serial_code, supporter_context

    old = AESGCM(base64.b64decode(settings.NIK_ENCRYPTION_KEYS[0][1]))
    Supporter = apps.get_model("candidates", "Supporter")
    fields = ["nik_cipher", "nik_masked", "nik_serial"]
    batch = []
    rows = Supporter.objects.only("pk", "upload_id", "row_number", "nik_cipher")
    for row in rows.iterator(chunk_size=5000):
        blob = bytes(row.nik_cipher)
        nik = old.decrypt(blob[:12], blob[12:], None).decode()
        row.nik_cipher = nik_encrypt(nik, context=supporter_context(row.upload_id, row.row_number))
        row.nik_masked, row.nik_serial = nik_mask(nik), nik_serial_code(nik)
        batch.append(row)
        if len(batch) >= 5000:
            Supporter.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Supporter.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0003_verfak_windows"),
        ("electorate", "0003_key_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="supporter",
            name="nik_serial",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(keyed_and_shown_less, migrations.RunPython.noop),
    ]
