"""Each page reads at most its own body limit (issue 19 item 7, config/bodylimit.py).

A 1 GB body to the citizens' objection form with a stale token, or to the public page that
checks a Berita Acara, used to be read and stored whole (a temporary file) before the view
refused it, and nginx let 6 GB through on every location. The requests here go through the
real WSGI handler with a body stream that counts what is read from it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from config.bodylimit import FILE_PAGES, BodyLimitHandler, BodyTooLarge, body_limit

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20


class Counting(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.taken += len(data)
        return data


CSRF = "k" * 32  # a browser that opened the form holds the cookie and sends its token


def post(path: str, fields: dict, *, declared: int | None = None) -> tuple[int, bytes, Counting]:
    body = encode_multipart(BOUNDARY, {"csrfmiddlewaretoken": CSRF, **fields})
    stream = Counting(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body) if declared is None else declared),
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_COOKIE": f"csrftoken={CSRF}",
    }
    status = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    content = b"".join(response)
    return int(status[0].split()[0]), content, stream


def big_file(name: str, size: int) -> io.BytesIO:
    data = io.BytesIO(b"%PDF-1.4\n" + b"0" * size)
    data.name = name
    return data


@pytest.mark.django_db
def test_a_big_body_to_the_objection_form_is_refused_before_a_byte_is_read():
    path = reverse("objection-new")
    status, content, stream = post(
        path, {"token": "stale", "p1-statement": big_file("s.pdf", 20 * MB)}
    )
    assert stream.taken == 0
    assert status == 413
    assert "Kiriman terlalu besar" in content.decode() and "6,0 MB" in content.decode()


@pytest.mark.django_db
def test_a_big_body_to_the_berita_acara_check_is_refused_before_a_byte_is_read():
    path = reverse("minutes-verify", kwargs={"code": "BA-XXXX"})
    status, content, stream = post(path, {"file": big_file("ba.pdf", 40 * MB)})
    assert stream.taken == 0 and status == 413
    assert "11 MB" in content.decode()


@pytest.mark.django_db
def test_a_page_without_a_file_takes_one_megabyte():
    status, _content, stream = post(reverse("check"), {"nik": "1" * (2 * MB)})
    assert stream.taken == 0 and status == 413


@pytest.mark.django_db
def test_the_api_answers_413_in_json():
    status, content, stream = post("/api/cek-dukungan/", {"nik": "1" * (2 * MB)})
    assert stream.taken == 0 and status == 413
    assert content.startswith(b'{"detail": "Kiriman terlalu besar')


def test_the_handler_stops_reading_at_the_limit_whatever_the_declared_length():
    """Past the declared length (which a server might not enforce), the first handler still
    stops the reading: at most the limit and one chunk are read, nothing past it is stored."""
    body = encode_multipart(BOUNDARY, {"file": big_file("x.pdf", 20 * MB)})
    stream = Counting(body)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    limit = 2 * MB
    handler = BodyLimitHandler(None, limit)
    stored = TemporaryFileUploadHandler()
    parser = MultiPartParser(meta, stream, [handler, stored])
    with pytest.raises(BodyTooLarge):
        parser.parse()
    assert stream.taken <= limit + 2 * handler.chunk_size
    assert stored.file.tell() <= limit


@pytest.mark.django_db
def test_a_body_inside_the_limit_reaches_the_view(client):
    response = client.post(reverse("objection-new"), {"token": "stale"})
    assert response.status_code == 302  # the view's own answer: check again


# --- nginx holds every location to the same limits ------------------------------------------


def nginx_locations() -> list[tuple[str, str, int]]:
    """(kind, pattern, limit in bytes) of every location of deploy/nginx/pilkada.conf, and the
    server's own limit as ("", "", limit)."""
    conf = (ROOT / "deploy" / "nginx" / "pilkada.conf").read_text()
    conf = re.sub(r"#.*", "", conf)
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    found = []
    for match in re.finditer(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{([^}]*)\}", conf):
        size = re.search(r"client_max_body_size\s+(\d+)([kmg]?);", match[3])
        assert size is not None, f"location {match[2]} has no client_max_body_size"
        found.append((match[1] or "", match[2], int(size[1]) * scale[size[2]]))
    server = re.search(r"\n    client_max_body_size\s+(\d+)([kmg]?);", conf)
    assert server is not None
    found.append(("", "", int(server[1]) * scale[server[2]]))
    return found


def nginx_limit(path: str) -> int:
    """The limit nginx applies to `path`: an exact match, else the first regex that matches,
    else the longest prefix (nginx's order)."""
    locations = nginx_locations()
    for kind, pattern, limit in locations:
        if kind == "=" and pattern == path:
            return limit
    for kind, pattern, limit in locations:
        if kind == "~" and re.search(pattern, path):
            return limit
    prefixes = [(p, limit) for kind, p, limit in locations if kind == "" and path.startswith(p)]
    return max(prefixes, key=lambda item: len(item[0]))[1]


SAMPLES = {
    "roll-upload": {"pk": 7},
    "upload-create": {"pk": 7},
    "api-upload-list": {},
    "verfak-sheet-upload": {"pk": 7},
    "objection-new": {},
    "objection-file": {},
    "minutes-verify": {"code": "BA-7Q2M-9XKD"},
}


@pytest.mark.parametrize("name", sorted(FILE_PAGES))
def test_nginx_takes_on_each_file_page_what_the_application_takes(name):
    path = reverse(name, kwargs=SAMPLES[name])
    assert nginx_limit(path) == body_limit(path)


@pytest.mark.parametrize(
    "path", ["/", "/cek-dukungan/", "/api/cek-dukungan/", "/masuk/", "/paslon/7/rekap/"]
)
def test_nginx_takes_on_every_other_page_what_the_application_takes(path, settings):
    assert nginx_limit(path) == body_limit(path) == settings.REQUEST_MAX_BYTES


def test_no_location_allows_a_roll_file_but_the_roll_upload(settings):
    rolls = [p for _kind, p, limit in nginx_locations() if limit >= settings.ROLL_UPLOAD_MAX_BYTES]
    assert len(rolls) == 1 and re.search(rolls[0], reverse("roll-upload", kwargs={"pk": 7}))
