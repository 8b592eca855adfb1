"""A statement PDF may hold nothing a reader runs or opens by itself (issue 19 item 7).

A citizen's statement is opened by KPU and Bawaslu officials; a PDF with JavaScript
(`/OpenAction << /S /JavaScript /JS (...) >>`) was accepted and served to them inline. So a
PDF is read here before it is kept, and refused if any dictionary of it names an action or
a payload: JavaScript, additional actions (/AA: on open, on close, on a page), launching a
program, going to another file or an embedded one, submitting or importing form data, rich
media, XFA forms, embedded files. An encrypted PDF cannot be read, so it is refused too.

Where a dictionary can be:
- in the file's own bytes (the structure): read with every stream's data cut out, so that
  image bytes that happen to spell "/JS" do not count;
- in a compressed object stream (PDF 1.5): every stream that may hold objects (not an image,
  a font, a colour profile, metadata) is decoded (Flate, ASCIIHex, ASCII85, the PNG
  predictors) and read the same way; one compressed any other way, or that does not decode,
  is refused, not guessed at;
- hidden inside a stream's data where a reader would find it by the cross-reference table
  alone: an object header ("12 0 obj") inside any stream's data is refused.
A name can be written with #xx escapes (/J#61vaScript is /JavaScript): names are read
decoded. Decoding is bounded (DECODED_MAX); a PDF that inflates beyond it is refused.
"""

from __future__ import annotations

import base64
import re
import zlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The names of actions and payloads no statement needs.
ACTIVE = {
    b"JavaScript",
    b"JS",
    b"AA",
    b"Launch",
    b"GoToR",
    b"GoToE",
    b"SubmitForm",
    b"ImportData",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"Sound",
    b"Movie",
    b"Rendition",
}
DECODED_MAX = 64 << 20

DELIMITERS = rb"\x00\t\n\x0c\r ()<>\[\]{}/%"
NAME = re.compile(rb"/([^" + DELIMITERS + rb"]*)")
ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
DICTIONARY_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
HIDDEN_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")


class PdfActive(ValidationError):
    pass


def pdf_active_check(data: bytes) -> None:
    """Raise PdfActive (a ValidationError with what to send instead) if the PDF `data` names
    an action or a payload anywhere, or cannot be read far enough to tell."""
    structure, streams = _split(data)
    _names_check(structure)
    if b"Encrypt" in _names(structure):
        raise _refused(_("PDF ini terkunci (terenkripsi) sehingga isinya tidak dapat diperiksa"))
    decoded_total = 0
    for dictionary, body in streams:
        names = _names(dictionary)
        if HIDDEN_OBJECT.search(body):
            raise _refused(_("ada objek PDF yang tersembunyi di dalam data"))
        if not _may_hold_objects(names, dictionary):
            continue
        decoded = _stream_decoded(dictionary, body)
        if decoded is None:
            continue
        decoded_total += len(decoded)
        if decoded_total > DECODED_MAX:
            raise _refused(_("isinya mengembang terlalu besar saat dibuka"))
        _names_check(decoded)


def _split(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The bytes outside every stream's data, and each stream's (dictionary, data)."""
    outside: list[bytes] = []
    streams: list[tuple[bytes, bytes]] = []
    at = 0
    for match in STREAM.finditer(data):
        if match.start() < at:
            continue  # inside the data of the stream before
        start = match.end()
        head = data[at : match.start()]
        dictionary = head[head.rfind(b"obj") + 3 :]
        end = -1
        length = DICTIONARY_LENGTH.search(dictionary)
        if length is not None:
            end = start + int(length[1])
            if not data[end : end + 12].lstrip(b"\r\n").startswith(b"endstream"):
                end = -1
        if end < 0:
            end = data.find(b"endstream", start)
            if end < 0:
                end = len(data)
        outside.append(data[at : match.start()])
        streams.append((dictionary, data[start:end]))
        at = end
    outside.append(data[at:])
    return b" ".join(outside), streams


def _names(text: bytes) -> set[bytes]:
    return set(_names_in_order(text))


def _names_check(text: bytes) -> None:
    found = _names(text) & ACTIVE
    if found:
        what = ", ".join(sorted(name.decode("latin-1") for name in found))
        raise _refused(_("berisi %(what)s") % {"what": what})


# Streams whose data a reader never reads as dictionaries: images, fonts, colour profiles,
# metadata, cross-reference data. Their bytes are binary (a font program spells "/JS" by chance
# now and then), so they are not read for names; an object stream always says /Type /ObjStm
# (readers refuse one that does not), and is read whatever else it says.
NOT_OBJECTS = {b"Image", b"XRef", b"Metadata", b"Type1C", b"CIDFontType0C", b"OpenType", b"XML"}
FONT_OR_PROFILE = re.compile(rb"/(?:Length1|Length2|Length3|N)[\s/]")


def _may_hold_objects(names: set[bytes], dictionary: bytes) -> bool:
    if b"ObjStm" in names:
        return True
    return not (names & NOT_OBJECTS or FONT_OR_PROFILE.search(dictionary))


IMAGE_CODECS = {b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode"}


def _stream_decoded(dictionary: bytes, body: bytes) -> bytes | None:
    """The stream's data through its filters; None for image data (a reader finds no
    dictionary there). A stream compressed another way, or that does not decode, is refused:
    an object stream could hide there."""
    filters = [
        name
        for name in _names_in_order(dictionary.split(b"/DecodeParms")[0].split(b"/DP")[0])
        if name.endswith(b"Decode") or name in (b"Fl", b"AHx", b"A85", b"LZW", b"RL", b"DCT")
    ]
    predictor = re.search(rb"/Predictor\s+(\d+)", dictionary)
    columns = re.search(rb"/Columns\s+(\d+)", dictionary)
    data = body
    try:
        for name in filters:
            if name in (b"FlateDecode", b"Fl"):
                data = _inflate(data)
                if predictor is not None and int(predictor[1]) >= 10:
                    data = _unpredict(data, int(columns[1]) if columns else 1)
            elif name in (b"ASCIIHexDecode", b"AHx"):
                digits = re.sub(rb"\s", b"", data.split(b">")[0])
                data = base64.b16decode(digits + b"0" * (len(digits) % 2), casefold=True)
            elif name in (b"ASCII85Decode", b"A85"):
                text = data.split(b"~>")[0].removeprefix(b"<~")
                data = base64.a85decode(text, ignorechars=b" \t\n\r\x0c")
            elif name in IMAGE_CODECS:
                return None
            else:
                raise _refused(_("bagian PDF dipadatkan dengan cara yang tidak dapat diperiksa"))
    except (ValueError, zlib.error) as exc:
        raise _refused(_("ada bagian PDF yang rusak")) from exc
    return data


def _names_in_order(text: bytes) -> list[bytes]:
    return [ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), m[1]) for m in NAME.finditer(text)]


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, DECODED_MAX + 1)
    if len(out) > DECODED_MAX:
        raise _refused(_("isinya mengembang terlalu besar saat dibuka"))
    return out


def _unpredict(data: bytes, columns: int) -> bytes:
    """PNG predictors (a filter-type byte before each row): undone, so that a name split
    across rows reads whole."""
    row = columns + 1
    out = bytearray()
    previous = bytearray(columns)
    for at in range(0, len(data), row):
        kind, line = data[at], bytearray(data[at + 1 : at + row])
        line += bytes(columns - len(line))
        for i in range(columns):
            left = line[i - 1] if i else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - 1] if i else 0
                estimate = left + up - corner
                nearest = min(
                    (abs(estimate - left), 0, left),
                    (abs(estimate - up), 1, up),
                    (abs(estimate - corner), 2, corner),
                )[2]
                line[i] = (line[i] + nearest) & 0xFF
        out += line
        previous = line
    return bytes(out)


def _refused(why: str) -> PdfActive:
    return PdfActive(
        _(
            "PDF tidak diterima (%(why)s): surat pernyataan tidak boleh memuat skrip, tindakan "
            "otomatis atau berkas sisipan. Kirim foto surat yang ditandatangani, atau cetak "
            "ulang sebagai PDF biasa (Cetak, lalu Simpan sebagai PDF)."
        )
        % {"why": why},
        code="active",
    )
