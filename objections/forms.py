"""Forms of the citizen's pages and the KPU/Bawaslu pages. They parse what was typed; the rules
are the services'."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.forms import DateInput, DateTimeInput
from objections.contact import contact_clean
from objections.lookup import (
    NAME_MAX,
    NameInputError,
    NikInputError,
    name_normalise_input,
    nik_normalise,
)
from objections.models import Objection, Step
from objections.statements import statement_check


def _nik_widget() -> forms.TextInput:
    # A number keypad on a phone, and no browser remembering NIKs typed on a shared one.
    return forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "autocomplete": "off",
            "autocapitalize": "off",
            "spellcheck": "false",
            "placeholder": "3171xxxxxxxxxxxx",
        }
    )


class NikField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        try:
            return nik_normalise(value)
        except NikInputError as exc:
            raise ValidationError(str(exc), code="nik") from None


class NameField(forms.CharField):
    """The name as on the KTP-el: the check's second factor (objections.lookup)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return name_normalise_input(value)
        except NameInputError as exc:
            raise ValidationError(str(exc), code="name") from None


class CheckForm(forms.Form):
    nik = NikField(
        label=_("NIK (16 angka pada KTP-el)"),
        max_length=40,
        widget=_nik_widget(),
    )
    name = NameField(
        label=_("Nama lengkap"),
        help_text=_(
            "Seperti tertulis pada KTP-el. Ejaan lama (Soekarno/Sukarno), singkatan (Moch.) "
            "dan gelar tidak berpengaruh."
        ),
    )
    birth_date = forms.DateField(
        label=_("Tanggal lahir"),
        widget=DateInput(attrs={"autocomplete": "bday"}),
        error_messages={"invalid": _("Tulis tanggal lahir sebagai tanggal (hari, bulan, tahun).")},
    )


class StatementField(forms.FileField):
    """A photo or PDF, checked by its content and size (objections.statements)."""

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if data:
            statement_check(data, data.size)
        return data


class ObjectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Tanggapan Anda"),
        choices=Objection.Kind.choices,
        widget=forms.RadioSelect,
        initial=Objection.Kind.NEVER,
    )
    contact = forms.CharField(
        label=_("Nomor telepon/WhatsApp atau e-mail"),
        max_length=120,
        help_text=_(
            "Nomor telepon/WhatsApp (0812..., +62...) atau alamat e-mail, hanya untuk KPU yang "
            "menghubungi Anda untuk klarifikasi."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    note = forms.CharField(
        label=_("Keterangan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    statement = StatementField(
        label=_("Surat pernyataan (foto atau PDF)"),
        required=False,
        help_text=_("Foto surat pernyataan bertanda tangan, paling besar 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"]
        return contact_clean(contact) if contact else contact


class StaffObjectionForm(ObjectionForm):
    """Bawaslu's objection, or one brought to a KPU desk: the NIK and the pair are typed."""

    pair = forms.TypedChoiceField(label=_("Bakal pasangan calon"), coerce=int)
    nik = NikField(label=_("NIK pendukung"), max_length=40, widget=_nik_widget())
    name = NameField(
        label=_("Nama pendukung"),
        help_text=_("Seperti tertulis pada KTP-el pelapor: dicocokkan dengan daftar dukungan."),
    )

    field_order = ["pair", "nik", "name", "kind", "contact", "note", "statement"]

    def __init__(self, *args, pairs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].choices = [("", "—")] + [
            (p.pk, f"{p.name} ({p.election.name})") for p in pairs
        ]
        self.fields["contact"].required = False
        self.fields["contact"].label = _("Kontak pelapor")
        self.fields["contact"].help_text = _("Bila ada: untuk klarifikasi oleh KPU.")


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Kode tanggapan"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "TM-"}
        ),
    )


class ClarifyForm(forms.Form):
    method = forms.ChoiceField(label=_("Cara klarifikasi"), choices=Step.Method.choices)
    happened_at = forms.DateTimeField(
        label=_("Waktu klarifikasi"), widget=DateTimeInput, initial=timezone.localtime
    )
    note = forms.CharField(
        label=_("Hasil klarifikasi"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class DecideForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label=_("Keputusan"),
        choices=[
            ("1", _("Terbukti: NIK dicatut, dukungan dicoret (TMS)")),
            ("0", _("Tidak terbukti: dukungan tetap")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Alasan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text=_("Wajib bila tidak terbukti."),
    )
