"""The birth date leaves the clear columns (keys.nik, "the birth date"). Added here, and
filled from the rows as they are:
- each roll's voting day, from the elections that read it (as DPT or DP4);
- each voter: whether it is under 17 on its roll's voting day and not married; the keyed hash
  of its NIK and birth date where the NIK is known, i.e. for the voters some supporter lists
  (the NIK is decrypted from that supporter's row). A roll keeps no NIK, so the other voters
  get no hash: until the roll is imported again (undo the import, import the file), a
  supporter listed later who is one of them is not checked for a differing birth date;
- each supporter: the keyed hash, the ciphertext bound to its row, and whether it is under 17
  on its election's voting day and not married.
The clear columns are dropped by 0014 here and electorate 0008 (each in its own transaction)."""

from django.db import migrations, models
from django.db.models import Case, Q, Value, When

BATCH = 2_000


def rolls_convert(apps) -> None:
    from keys.nik import MARRIED, eligible_birth_cutoff

    Election = apps.get_model("candidates", "Election")
    VoterRoll = apps.get_model("electorate", "VoterRoll")
    Voter = apps.get_model("electorate", "Voter")

    for election in Election.objects.order_by("pk"):
        for roll_id in (election.roll_id, election.dp4_roll_id):
            if roll_id is not None:
                VoterRoll.objects.filter(pk=roll_id, voting_day__isnull=True).update(
                    voting_day=election.voting_day
                )
    for roll in VoterRoll.objects.exclude(voting_day=None):
        cutoff = eligible_birth_cutoff(roll.voting_day)
        Voter.objects.filter(roll=roll, birth_date__isnull=False).update(
            minor=Case(
                When(Q(birth_date__gt=cutoff) & ~Q(marital_status__in=MARRIED), then=Value(True)),
                default=Value(False),
            )
        )


def supporters_convert(apps) -> None:
    from keys import keyring
    from keys.nik import (
        birth_hash_text,
        birth_minor,
        supporter_birth_context,
        supporter_context,
    )

    Election = apps.get_model("candidates", "Election")
    Pair = apps.get_model("candidates", "Pair")
    Supporter = apps.get_model("candidates", "Supporter")
    Voter = apps.get_model("electorate", "Voter")
    if not Supporter.objects.exists():
        return
    hasher = keyring.hasher()
    seal = keyring.encryptor()
    voting = dict(Election.objects.values_list("pk", "voting_day"))
    day_of_pair = {pk: voting[e] for pk, e in Pair.objects.values_list("pk", "election_id")}
    rows = Supporter.objects.only(
        "pk",
        "upload_id",
        "row_number",
        "pair_id",
        "nik_hash",
        "nik_cipher",
        "birth_date",
        "marital_status",
    ).order_by("pk")
    batch: list = []

    def flush() -> None:
        niks = {}
        for s in batch:
            nik = keyring.decrypt(
                bytes(s.nik_cipher), context=supporter_context(s.upload_id, s.row_number)
            ).decode()
            niks[bytes(s.nik_hash)] = nik
            s.birth_hash = hasher.hash(birth_hash_text(nik, s.birth_date))
            s.birth_cipher = seal(
                s.birth_date.isoformat().encode(),
                supporter_birth_context(s.upload_id, s.row_number),
            )
            s.minor = birth_minor(
                s.birth_date, voting_day=day_of_pair[s.pair_id], marital=s.marital_status
            )
        Supporter.objects.bulk_update(batch, ["birth_hash", "birth_cipher", "minor"])
        voters = list(
            Voter.objects.filter(nik_hash__in=list(niks), birth_date__isnull=False).only(
                "pk", "nik_hash", "birth_date"
            )
        )
        for v in voters:
            v.birth_hash = hasher.hash(birth_hash_text(niks[bytes(v.nik_hash)], v.birth_date))
        Voter.objects.bulk_update(voters, ["birth_hash"])
        batch.clear()

    for row in rows.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()


def convert(apps, schema_editor):
    rolls_convert(apps)
    supporters_convert(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0012_submission_check_registry"),
        ("electorate", "0007_birth_keyed"),
    ]

    operations = [
        migrations.AddField(
            model_name="supporter",
            name="birth_hash",
            field=models.BinaryField(max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="supporter",
            name="birth_cipher",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="supporter",
            name="minor",
            field=models.BooleanField(null=True),
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
    ]
