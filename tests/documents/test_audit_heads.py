"""The audit trail's heads on every Berita Acara and its public page (issue 19 item 3): the
paper and the public page anchor the trail outside the database. A minutes' issue records a
checkpoint (audit.trail.audit_checkpoint) of its area's kelurahan chains; the PDF prints the
checkpoint's position and head in the main chain and the digest of the kelurahan heads, the
public page shows the same, and `audit_verify --head` holds the trail to what the paper says."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from audit.models import Event
from audit.trail import audit_verify
from documents.services import Meeting, minutes_issue, minutes_pdf_read
from tests.documents.conftest import pdf_text

pytestmark = pytest.mark.django_db

MEETING = Meeting(date=dt.date(2024, 6, 25), place="Kantor KPU Provinsi DKI Jakarta")
PRINTED = re.compile(
    r"rantai utama nomor (\d+), kepala ([0-9a-f]{16}); (\d+) rantai kelurahan di .*?ringkasan "
    r"([0-9a-f]{16})",
    re.S,
)


@pytest.fixture
def issued(verfak, kpu_dki):
    minutes = minutes_issue(pair=verfak.pair, stage="verfak", round=1, meeting=MEETING,
                            by=kpu_dki)  # fmt: skip
    return minutes


def test_the_minutes_print_the_heads_of_the_trail_as_it_stood(issued):
    text = " ".join(pdf_text(minutes_pdf_read(issued)).split())
    found = PRINTED.search(text)
    assert found, text[-800:]
    seq, head, chains, digest = found.groups()
    checkpoint = Event.objects.get(action="audit.checkpoint", seq=int(seq), chain="")
    assert checkpoint.hash.startswith(head)
    assert int(chains) == len(checkpoint.data["heads"]) >= 2  # the field's kelurahan chains
    assert checkpoint.data["digest"].startswith(digest)
    assert issued.figures["audit"]["main_head"] == checkpoint.hash
    issued_event = Event.objects.get(action="minutes.issued", target__endswith=f":{issued.pk}")
    assert issued_event.data["audit_head"] == [int(seq), checkpoint.hash]


def test_the_public_page_shows_the_same_heads(client, issued):
    page = client.get(reverse("minutes-verify", kwargs={"code": issued.code})).content.decode()
    audit = issued.figures["audit"]
    assert f"rantai utama nomor {audit['main_seq']}, kepala {audit['main_short']}" in page
    assert f"ringkasan {audit['digest_short']}" in page


def test_audit_verify_holds_the_trail_to_the_heads_on_the_paper(issued):
    audit = issued.figures["audit"]
    paper = f"utama:{audit['main_seq']}:{audit['main_short']}"
    out = io.StringIO()
    call_command("audit_verify", "--head", paper, stdout=out)
    assert "Jejak audit utuh" in out.getvalue()
    # A field entry of a kelurahan printed (through the checkpoint) is deleted afterwards:
    # the checkpoint no longer matches the chain, whatever the anchor file says.
    kelurahan, (seq, _head) = next(iter(issued_event_heads(issued).items()))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"DELETE FROM {Event._meta.db_table} WHERE chain = %s AND seq >= %s", [kelurahan, seq]
        )
    result = audit_verify(anchor_files=[], heads=[paper])
    assert (result["ok"], result["why"]) == (False, "head")
    assert result["anchor"]["chain"] == kelurahan


def issued_event_heads(minutes) -> dict:
    checkpoint = Event.objects.get(
        action="audit.checkpoint", seq=minutes.figures["audit"]["main_seq"], chain=""
    )
    return checkpoint.data["heads"]
