"""A statement PDF runs nothing in an official's reader, and is never shown inline (issue 19
item 7, objections/activecontent.py).

A PDF with `/OpenAction << /S /JavaScript /JS (...) >>` was accepted and served inline to KPU
and Bawaslu. Each way of writing such a PDF is refused here; real PDFs (a page printed by
WeasyPrint with its fonts, a photo saved as PDF by Pillow, noise that spells anything in its
image bytes) still pass; the file is served as an attachment, never sniffed.
"""

from __future__ import annotations

import base64
import io
import random
import re
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from objections.activecontent import pdf_active_check
from objections.models import Objection, Statement
from objections.statements import statement_check
from tests.objections.people import BIRTH, NAME, NIKS, PDF


def pdf(*objects: bytes, trailer: bytes = b"<< /Root 1 0 R >>") -> bytes:
    """A PDF of these objects, numbered from 1, with a cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def object_stream(objects: bytes, *, filters: bytes = b"/FlateDecode", encode=zlib.compress):
    """Object 4 holds object 5 (`objects`), compressed."""
    head = b"5 0 "
    return stream(
        b"/Type /ObjStm /N 1 /First %d /Filter %s" % (len(head), filters), encode(head + objects)
    )


JS = b"<< /S /JavaScript /JS (app.alert(document.cookie)) >>"
ACTIVE = {
    "open-action-javascript": pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction " + JS + b" >>", PAGES, PAGE
    ),
    "escaped-name": pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (x) >> >>",
        PAGES,
        PAGE,
    ),
    "page-additional-action": pdf(
        CATALOG, PAGES, b"<< /Type /Page /Parent 2 0 R /AA << /O 4 0 R >> >>", JS
    ),
    "launch": pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>",
        PAGES,
        PAGE,
    ),
    "embedded-file": pdf(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
        PAGES,
        PAGE,
        b"<< /Names [(a.exe) 5 0 R] >>",
    ),
    "in-a-flate-object-stream": pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        PAGES,
        PAGE,
        object_stream(JS),
    ),
    "in-an-ascii-hex-object-stream": pdf(
        CATALOG,
        PAGES,
        PAGE,
        object_stream(JS, filters=b"/ASCIIHexDecode", encode=lambda d: base64.b16encode(d) + b">"),
    ),
    "in-an-object-stream-compressed-otherwise": pdf(
        CATALOG, PAGES, PAGE, object_stream(b"<< /S /GoTo >>", filters=b"/LZWDecode")
    ),
    "hidden-in-image-data": pdf(
        CATALOG,
        PAGES,
        PAGE,
        stream(b"/Subtype /Image /Width 1 /Height 1", b"\xff\n9 0 obj\n" + JS + b"\nendobj\n"),
    ),
    "encrypted": pdf(
        CATALOG, PAGES, PAGE, trailer=b"<< /Root 1 0 R /Encrypt << /Filter /Standard >> >>"
    ),
}


@pytest.mark.parametrize("name", list(ACTIVE), ids=list(ACTIVE))
def test_a_pdf_that_would_run_or_open_something_is_refused(name):
    with pytest.raises(ValidationError) as caught:
        statement_check(io.BytesIO(ACTIVE[name]), len(ACTIVE[name]))
    message = caught.value.messages[0]
    assert message.startswith("PDF tidak diterima")
    assert "foto surat" in message


def weasyprint_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<h1>Surat Pernyataan</h1><p>Saya tidak pernah memberikan dukungan. "
        "<a href='https://kpu.go.id'>KPU</a></p>"
    ).write_pdf()


def photo_pdf(seed: int) -> bytes:
    rnd = random.Random(seed)
    image = Image.frombytes("RGB", (300, 300), bytes(rnd.getrandbits(8) for _ in range(270_000)))
    out = io.BytesIO()
    image.save(out, "PDF")
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [lambda: PDF, weasyprint_pdf, *[lambda seed=seed: photo_pdf(seed) for seed in range(8)]],
    ids=["minimal", "weasyprint-with-fonts", *[f"noise-photo-{seed}" for seed in range(8)]],
)
def test_real_pdfs_pass(make):
    data = make()
    pdf_active_check(data)
    assert statement_check(io.BytesIO(data), len(data)) == "pdf"


def test_a_name_split_by_a_png_predictor_is_read_whole():
    columns = 4
    raw = b"5 0 " + JS
    raw += b" " * (-len(raw) % columns)
    rows = b"".join(b"\x00" + raw[i : i + columns] for i in range(0, len(raw), columns))
    predicted = stream(
        b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode "
        b"/DecodeParms << /Predictor 12 /Columns %d >>" % columns,
        zlib.compress(rows),
    )
    with pytest.raises(ValidationError):
        pdf_active_check(pdf(CATALOG, PAGES, PAGE, predicted))


# --- through the pages --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_floor(settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0


def _object(client, statement) -> object:
    page = client.post(
        reverse("check"), {"nik": NIKS[0], "birth_date": BIRTH.isoformat(), "name": NAME}
    ).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    prefix = re.search(r'name="(p\d+)-kind"', page).group(1)
    return client.post(
        reverse("objection-new"),
        {
            "token": token,
            f"{prefix}-kind": "tidak_pernah",
            f"{prefix}-contact": "0812 1111 2222",
            f"{prefix}-statement": statement,
        },
    )


@pytest.mark.django_db
def test_the_form_refuses_a_pdf_with_javascript_and_keeps_nothing(client, field):
    response = _object(
        client, SimpleUploadedFile("s.pdf", ACTIVE["open-action-javascript"], "application/pdf")
    )
    assert response.status_code == 400
    assert "PDF tidak diterima" in response.content.decode()
    assert not Statement.objects.exists() and not Objection.objects.exists()


@pytest.mark.django_db
def test_a_statement_is_served_as_an_attachment_never_sniffed(client, field):
    _object(client, SimpleUploadedFile("s.pdf", PDF, "application/pdf"))
    objection = Objection.objects.get()
    client.force_login(field.users["bawaslu"])
    response = client.get(reverse("objection-statement", args=[objection.pk]))
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
