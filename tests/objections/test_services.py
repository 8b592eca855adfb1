"""Handling an objection (objections/services.py): filed, clarified, decided; a confirmed one
strikes the supporter off for its pair with PUBLIC_OBJECTION, kept across reruns; every step
kept; personal data encrypted; the decision waits for open objections."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from decisions.services import decision_blockers
from fieldwork.models import Record, Task
from keys import keyring
from objections.models import Objection, Step
from objections.services import (
    objection_contact,
    objection_decide,
    objection_file,
    objection_status,
    reference_normalise,
)
from tests.objections.people import NAME, NIKS, PDF, citizen_objects, clarified, confirmed
from tests.verification.case import verdict, verify
from verification.models import ReasonMark

pytestmark = pytest.mark.django_db


def test_a_citizens_objection_goes_to_the_kpu_of_the_supporters_kabkota(field):
    objection = citizen_objects()
    assert objection.status == Objection.Status.OPEN
    assert objection.region_code == "31.71.01.1001"
    assert objection.source == Objection.Source.CITIZEN
    assert objection.supporter == field.supporters[0]
    assert [s.action for s in objection.steps.all()] == ["filed"]
    assert objection_status(reference=objection.reference.lower().replace("-", " ")) == objection


def test_the_contact_is_encrypted_and_bound_to_its_row(field):
    objection = citizen_objects(contact="0812-3456-7890", note="Saya tidak kenal tim ini.")
    raw = bytes(Objection.objects.get(pk=objection.pk).contact_cipher)
    assert b"0812" not in raw
    assert objection_contact(objection) == "0812-3456-7890"
    other = citizen_objects(NIKS[1])
    with pytest.raises(keyring.KeyringError):
        keyring.decrypt(raw, context=f"objection:{other.pk}:contact")
    texts = str(list(Event.objects.values_list("data", flat=True)))
    assert "0812" not in texts and NIKS[0] not in texts and "tidak kenal" not in texts


def test_confirmed_misuse_strikes_the_supporter_off_with_public_objection(field):
    supporter = field.supporters[0]
    objection = confirmed(citizen_objects(), field.users["kpu"])
    assert objection.status == Objection.Status.CONFIRMED
    assert verdict(supporter) == ("TMS", {"PUBLIC_OBJECTION"})
    task = Task.objects.get(supporter=supporter)
    assert (task.result, task.note, task.struck) == ("TMS", "PUBLIC_OBJECTION", True)
    record = Record.objects.filter(task=task).latest("pk")
    assert record.source == "objection" and objection.reference in record.reason
    assert [s.action for s in objection.steps.all()] == ["filed", "clarified", "confirmed"]
    # The other supporters stand as they were.
    assert verdict(field.supporters[1]) == ("MS", set())


def test_a_rerun_of_the_round_keeps_public_objection(field):
    confirmed(citizen_objects(), field.users["kpu"])
    run = verify(field.pair)  # a new run of the round: every result written again
    assert run.counts["reasons"]["PUBLIC_OBJECTION"] == 1
    assert verdict(field.supporters[0]) == ("TMS", {"PUBLIC_OBJECTION"})
    assert ReasonMark.objects.count() == 1


def test_a_later_field_record_cannot_bring_a_struck_supporter_back(field):
    from tests.fieldwork.field import enter, task

    confirmed(citizen_objects(), field.users["kpu"])
    enter(task(field.supporters[0]), "SESUAI", method="VIDEO_CALL")
    assert task(field.supporters[0]).result == "TMS"


def test_rejection_needs_a_reason_and_leaves_the_support(field):
    kpu = field.users["kpu"]
    objection = clarified(citizen_objects(), kpu)
    with pytest.raises(ValidationError, match="alasan"):
        objection_decide(objection=objection, by=kpu, confirmed=False, reason="")
    objection = objection_decide(
        objection=objection, by=kpu, confirmed=False, reason="Tanda tangan pada B.1-KWK cocok."
    )
    assert objection.status == Objection.Status.REJECTED
    assert verdict(field.supporters[0]) == ("MS", set())


def test_no_decision_before_a_clarification_nor_twice(field):
    kpu = field.users["kpu"]
    objection = citizen_objects()
    with pytest.raises(ValidationError, match="Klarifikasi dulu"):
        objection_decide(objection=objection, by=kpu, confirmed=True, reason="")
    confirmed(objection, kpu)
    with pytest.raises(ValidationError, match="sudah diputuskan"):
        objection_decide(objection=objection, by=kpu, confirmed=False, reason="x")


@pytest.mark.parametrize("user", ["bawaslu", "kpu_utara", "pps"])
def test_only_the_kpu_of_the_kabkota_or_above_handles_it(field, user):
    with pytest.raises(ValidationError, match="Hanya KPU"):
        clarified(citizen_objects(), field.users[user])


def test_the_province_may_handle_it_too(field):
    assert confirmed(citizen_objects(), field.users["prov"]).status == "terbukti"


def test_bawaslu_files_an_objection_by_nik_in_its_area_only(field):
    objection = objection_file(
        pair=field.pair, nik=NIKS[1], name=NAME, kind="tidak_pernah", by=field.users["bawaslu"],
        source=Objection.Source.BAWASLU, note="Laporan warga ke Bawaslu.",
        statement_file=io.BytesIO(PDF), statement_size=len(PDF),
    )  # fmt: skip
    assert (objection.source, objection.filed_by) == ("bawaslu", field.users["bawaslu"])
    assert objection.statement.original_name == "pernyataan.pdf"
    with pytest.raises(ValidationError, match="wilayah Anda"):
        objection_file(
            pair=field.pair, nik=NIKS[1], name=NAME, kind="tidak_pernah",
            by=field.users["bawaslu_utara"],
            source=Objection.Source.BAWASLU,
        )  # fmt: skip


def test_the_decision_is_refused_while_objections_of_its_election_are_open(field):
    objection = citizen_objects()
    other_pair = field.case.pair("B")
    assert any("tanggapan masyarakat" in r for r in decision_blockers(pair=other_pair))
    confirmed(objection, field.users["kpu"])
    assert not any("tanggapan masyarakat" in r for r in decision_blockers(pair=field.pair))


def test_every_step_leaves_an_audit_event(field):
    before = Event.objects.count()
    confirmed(citizen_objects(), field.users["kpu"])
    actions = list(Event.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert actions == [
        "objection.filed",
        "objection.clarified",
        "verification.reason_added",
        "verfak.recorded",
        "objection.decided",
    ]
    assert Step.objects.count() == 3


def test_reference_codes_are_typed_forgivingly():
    assert reference_normalise("tm-abcd-efgh-jk") == "TM-ABCD-EFGH-JK"
    assert reference_normalise("TM ABCD EFGH JO") == "TM-ABCD-EFGH-J0"
    assert reference_normalise("TM-ABCD") == ""


def test_a_key_rotation_reencrypts_the_contact_under_the_new_key(field, settings):
    import base64

    from keys.rotation import REKEYERS

    objection = citizen_objects(contact="warga@example.org", note="Catatan.")
    new = base64.b64encode(b"k" * 32).decode()
    settings.NIK_ENCRYPTION_KEYS = [("2026", new), *settings.NIK_ENCRYPTION_KEYS]
    # The rekeyer keys_rotate calls (the whole rotation: tests/electorate/test_rotation.py).
    assert REKEYERS["objections.Objection ciphertexts"](hasher=None, rehashed=False) == 1
    objection.refresh_from_db()
    assert keyring.key_id_of(bytes(objection.contact_cipher)) == "2026"
    assert objection_contact(objection) == "warga@example.org"
