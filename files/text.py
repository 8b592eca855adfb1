"""Text that is stored carries no bidirectional control characters (issue 19 item 7).

U+202E (RIGHT-TO-LEFT OVERRIDE) and its kin make a browser or a PDF show the characters after
them in reverse: a supporter's name, a place in the minutes or a file name reads as something
else than what is stored and compared (a file "surat" + U+202E + "fdp.exe" shows as
"suratexe.pdf"). No name, address or note of this domain needs them (Indonesian is written
left to right, and a name needs no Arabic letter mark either). So they are removed wherever
text comes in:

- `bidi_strip`, the one normaliser: the embeddings and overrides U+202A-U+202E, the isolates
  U+2066-U+2069, the marks U+200E, U+200F and U+061C;
- the file parsers (files.parsing: every line of a CSV, every cell of an XLSX);
- every text a model saves (`stored_text_clean`, a pre_save receiver for every model: its
  CharFields, TextFields and the strings inside its JSONFields), whether it came from a form,
  the API, a command or a service; the audit trail excepted, whose rows are hashed as given
  (what it records comes from rows already cleaned);
- text kept encrypted (an objection's contact and note) and the minutes' meeting details,
  which are printed before anything is saved, at their services.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import models

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))
# The same characters as UTF-8, for a byte block read from a file.
BIDI_UTF8 = re.compile(rb"\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")
UNCLEANED_APPS = {"audit"}


def bidi_strip(text: str) -> str:
    """`text` without bidirectional controls (ASCII text is returned as it is, at once)."""
    if text.isascii():
        return text
    return text.translate(_REMOVE)


def _json_strip(value: Any) -> Any:
    if isinstance(value, str):
        return bidi_strip(value)
    if isinstance(value, list):
        return [_json_strip(item) for item in value]
    if isinstance(value, dict):
        return {_json_strip(key): _json_strip(item) for key, item in value.items()}
    return value


def stored_text_clean(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """pre_save, every model: its text fields without bidirectional controls."""
    if sender._meta.app_label in UNCLEANED_APPS:
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and not value.isascii():
                setattr(instance, field.attname, bidi_strip(value))
        elif isinstance(field, models.JSONField):
            value = getattr(instance, field.attname)
            # Serialised at C speed first: most JSON (figures, counts) is ASCII, left as it is.
            if not json.dumps(value, ensure_ascii=False, default=str).isascii():
                setattr(instance, field.attname, _json_strip(value))
