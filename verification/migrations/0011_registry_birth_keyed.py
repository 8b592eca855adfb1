"""The civil registry's birth dates leave the clear columns, as the supporters' do
(keys.nik, "the birth date"): whether the person is under 17 on the election's voting
day, and the keyed hash of the NIK and the date where the NIK is known (from a supporter of
the election listing it, decrypted; an answer is for such a NIK). The clear column is
dropped by 0012."""

from django.db import migrations, models
from django.db.models import Case, Value, When

BATCH = 2_000


def convert(apps, schema_editor):
    from keys import keyring
    from keys.nik import birth_hash_text, eligible_birth_cutoff, supporter_context

    Election = apps.get_model("candidates", "Election")
    Supporter = apps.get_model("candidates", "Supporter")
    Answer = apps.get_model("verification", "RegistryAnswer")
    for election in Election.objects.filter(registry_answers__isnull=False).distinct():
        cutoff = eligible_birth_cutoff(election.voting_day)
        answers = Answer.objects.filter(election=election, birth_date__isnull=False)
        answers.update(
            minor=Case(When(birth_date__gt=cutoff, then=Value(True)), default=Value(False))
        )
        hasher = keyring.hasher()
        rows = list(answers.only("pk", "nik_hash", "birth_date").order_by("pk"))
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            niks = {}
            for s in Supporter.objects.filter(
                pair__election=election, nik_hash__in=[bytes(a.nik_hash) for a in batch]
            ).only("upload_id", "row_number", "nik_hash", "nik_cipher"):
                niks[bytes(s.nik_hash)] = keyring.decrypt(
                    bytes(s.nik_cipher), context=supporter_context(s.upload_id, s.row_number)
                ).decode()
            known = [a for a in batch if bytes(a.nik_hash) in niks]
            for a in known:
                a.birth_hash = hasher.hash(birth_hash_text(niks[bytes(a.nik_hash)], a.birth_date))
            Answer.objects.bulk_update(known, ["birth_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0010_registry_answers"),
        ("candidates", "0013_birth_keyed"),
    ]

    operations = [
        migrations.AddField(
            model_name="registryanswer",
            name="birth_hash",
            field=models.BinaryField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="registryanswer",
            name="minor",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
    ]
