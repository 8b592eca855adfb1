"""Keys that can be rotated (keys/keyring.py, keys/rotation.py, `rotate_keys`):
ciphertexts and upload files name their key, a new HMAC key is applied to every stored hash
without the plaintext NIKs, matching works before and after, and a ciphertext is bound to its
row."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from candidates.intake import support_upload_create, support_upload_run
from candidates.models import Supporter, SupportUpload
from electorate.models import RollImport, Voter
from electorate.roll_import import roll_import_create, roll_import_run
from files.uploads import upload_bound
from files.vault import vault_key_id, vault_open
from keys import keyring
from keys.nik import birth_hash, nik_decrypt, supporter_context
from tests.factories import PairFactory, birth_of, csv_bytes, good_row, make_nik, roll_csv
from verification.engine import run_create, verification_run

NEW_HMAC = ("2026", "hmac-secret-of-2026-" + "x" * 20)
NEW_AES = ("2026", base64.b64encode(b"a-brand-new-32-byte-aes-key-2026").decode())


def outcomes(pair) -> dict[str, str]:
    rows = Supporter.objects.filter(pair=pair).values_list("row_number", "verification__outcome")
    return dict(rows)


@pytest.fixture
def verified(jakarta):
    """A roll of 30 voters, a list of 30 (25 on the roll, 5 not), verified."""
    pair = PairFactory()
    on_roll = [good_row(NIK=make_nik(serial=i)) for i in range(1, 31)]
    job, _ = roll_import_create(
        roll=pair.election.roll, file=io.BytesIO(roll_csv(on_roll)), original_name="dpt.csv"
    )
    roll_import_run(import_id=job.pk)
    rows = on_roll[:25] + [good_row(NIK=make_nik(serial=i)) for i in range(101, 106)]
    upload, _ = support_upload_create(
        pair=pair, file=io.BytesIO(csv_bytes(rows)), original_name="dukungan.csv"
    )
    support_upload_run(upload_id=upload.pk)
    verification_run(run_id=run_create(pair=pair).pk)
    return pair


def rotate(settings) -> dict:
    settings.NIK_HMAC_KEYS = [*settings.NIK_HMAC_KEYS, NEW_HMAC]
    settings.NIK_ENCRYPTION_KEYS = [NEW_AES, *settings.NIK_ENCRYPTION_KEYS]
    out = io.StringIO()
    call_command("rotate_keys", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_rotation_rehashes_reencrypts_and_matching_gives_the_same_results(verified, settings):
    before = outcomes(verified)
    assert sorted(before.values()).count("MS") == 25
    old_hashes = set(Voter.objects.values_list("nik_hash", flat=True))

    result = rotate(settings)

    assert result["hmac_chain"] == ["1", "2026"] and result["encryption_key"] == "2026"
    assert result["rehashed"]["electorate.Voter.nik_hash"] == 30
    assert result["rehashed"]["candidates.Supporter.nik_hash"] == 30
    assert result["rehashed"]["electorate.Voter.birth_hash"] == 30
    assert result["rehashed"]["candidates.Supporter.birth_hash"] == 30
    assert result["reencrypted"] == {
        "upload files": 2,
        "candidates.Supporter.nik_cipher": 30,
        "candidates.Supporter.birth_cipher": 30,
        "objections.Objection ciphertexts": 0,  # none filed here: tests/objections
    }
    assert not old_hashes & set(Voter.objects.values_list("nik_hash", flat=True))
    # The birth hashes went down the chain with the NIK's: what the whole chain gives now.
    for row in Supporter.objects.all():
        nik = nik_decrypt(row.nik_cipher, context=supporter_context(row.upload_id, row.row_number))
        assert bytes(row.birth_hash) == birth_hash(nik, birth_of(row))
    # Matching keeps working: a new run over the re-hashed tables gives the same verdicts.
    verification_run(run_id=run_create(pair=verified).pk)
    assert outcomes(verified) == before
    # New NIKs go through the whole chain: a new list matches the roll too.
    nik = make_nik(serial=7)
    upload, _ = support_upload_create(
        pair=verified,
        round=1,
        file=io.BytesIO(csv_bytes([good_row(NIK=nik)])),
        original_name="perbaikan.csv",
    )
    support_upload_run(upload_id=upload.pk)
    run = verification_run(run_id=run_create(pair=verified, round=1).pk)
    assert run.counts["reasons"]["NOT_IN_ROLL"] == 0


def test_after_rotation_the_old_encryption_key_can_go(verified, settings):
    rotate(settings)
    settings.NIK_ENCRYPTION_KEYS = [NEW_AES]  # "1" removed from the ring

    for row in Supporter.objects.all():
        assert keyring.key_id_of(row.nik_cipher) == "2026"
        context = supporter_context(row.upload_id, row.row_number)
        assert len(nik_decrypt(row.nik_cipher, context=context)) == 16
    for model in (RollImport, SupportUpload):
        for upload in model.objects.all():
            assert vault_key_id(upload.file.name) == "2026"
            with vault_open(upload.file.name, bound=upload_bound(upload)) as fh:
                assert fh.read(3) == b"NIK"


def test_rotating_again_without_new_keys_changes_nothing(verified, settings):
    rotate(settings)
    out = io.StringIO()
    call_command("rotate_keys", "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert again["hmac_applied"] == [] and again["rehashed"] == {}
    assert again["reencrypted"] == {
        "upload files": 0,
        "candidates.Supporter.nik_cipher": 0,
        "candidates.Supporter.birth_cipher": 0,
        "objections.Objection ciphertexts": 0,
    }


def test_a_ciphertext_copied_onto_another_row_does_not_decrypt(verified):
    first, second = Supporter.objects.order_by("pk")[:2]
    with pytest.raises(keyring.KeyringError):
        nik_decrypt(
            first.nik_cipher, context=supporter_context(second.upload_id, second.row_number)
        )


def test_a_key_the_hashes_were_made_with_cannot_be_dropped(verified, settings):
    rotate(settings)
    settings.NIK_HMAC_KEYS = [NEW_HMAC]  # "1" dropped: stored hashes went through it
    keyring.hasher_forget()
    with pytest.raises(ImproperlyConfigured, match="1"):
        keyring.hasher()
