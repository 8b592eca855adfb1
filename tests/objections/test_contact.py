"""Issue 21 item 5: the objection's contact is a phone number or an e-mail address the KPU can
use, never a plain name."""

from __future__ import annotations

import pytest

from objections.forms import ObjectionForm, StaffObjectionForm


def _form(contact: str, form=ObjectionForm, **kwargs):
    return form({"kind": "tidak_pernah", "contact": contact}, **kwargs)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0812-3456-7890", "0812-3456-7890"),
        ("+62 812  3456 7890", "+62 812 3456 7890"),
        ("6281234567890", "6281234567890"),
        ("(021) 345 6789", "(021) 345 6789"),
        ("  warga@example.org ", "warga@example.org"),
    ],
)
def test_a_phone_number_or_an_email_is_taken(typed, kept):
    form = _form(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact"] == kept


@pytest.mark.parametrize(
    "typed",
    ["Budi Santoso", "pak RT", "0812", "0812345678901234567", "+1 415 555 0100", "0812abc4567",
     "warga@", "@example.org", "0012345678"],
)  # fmt: skip
def test_a_name_or_a_number_nobody_can_call_is_refused_with_what_to_write(typed):
    form = _form(typed)
    assert not form.is_valid()
    assert "nomor telepon/WhatsApp" in form.errors["contact"][0]


def test_the_staff_form_checks_a_contact_only_when_one_is_given():
    assert "contact" not in _form("", StaffObjectionForm).errors
    assert "contact" in _form("Bawaslu", StaffObjectionForm).errors
