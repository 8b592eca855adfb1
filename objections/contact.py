"""The contact a citizen leaves with an objection, so that the KPU can call back for the
clarification: an Indonesian phone number (WhatsApp is one) or an e-mail address, nothing else.

A phone number is written as people write it (0812-3456-7890, +62 812 3456 7890, 62812...,
021 345 6789) and kept as written; without its separators, 9 to 15 digits, national (0...) or
with the country code 62. An e-mail address is Django's rule.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

SEPARATORS = re.compile(r"[\s.\-()/]+")
PHONE = re.compile(r"^(?:\+62|62|0)[1-9]\d+$")
DIGITS = (9, 15)


def contact_clean(value: str) -> str:
    """The contact as kept: as typed, its spaces collapsed. Raises ValidationError (Indonesian)
    for what is neither a phone number nor an e-mail address, a plain name included."""
    text = " ".join((value or "").split())
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(_contact_message()) from None
        return text
    phone = SEPARATORS.sub("", text)
    digits = len(phone.lstrip("+"))
    if PHONE.match(phone) and DIGITS[0] <= digits <= DIGITS[1]:
        return text
    raise ValidationError(_contact_message())


def _contact_message() -> str:
    return _(
        "Tulis nomor telepon/WhatsApp (misalnya 0812-3456-7890 atau +62 812 3456 7890) atau "
        "alamat e-mail: KPU menghubungi Anda di sana."
    )
