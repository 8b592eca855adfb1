"""Forms of the minutes pages: what the KPU types for a plenary meeting, and the PDF a visitor
presents. The rules are the services'."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.forms import DateInput
from candidates.models import Round
from documents.models import Minutes
from documents.services import Person

PEOPLE_HELP = _("Satu orang per baris: Nama; Jabatan (misalnya: Wahyu Setiawan; Ketua).")


class PeopleField(forms.CharField):
    """Lines of "Name; Role" -> [(name, role)]."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        text = super().clean(value)
        people = []
        for line in (text or "").splitlines():
            if not line.strip():
                continue
            name, _sep, role = line.partition(";")
            if not name.strip():
                raise ValidationError(_("Setiap baris: Nama; Jabatan."))
            people.append((name.strip(), role.strip()))
        return people


def _stage_choices() -> list:
    """The stages minutes are issued for, by name: one choice holds the stage and its round
    ("vermin:1" = administrative verification of repair 1; a bare stage is its round 0), so
    nothing is asked where a round makes no sense (the count check, the decision)."""
    stage = Minutes.Stage
    return [
        (stage.PENELITIAN.value, stage.PENELITIAN.label),
        (
            stage.VERMIN.label,
            [
                (stage.VERMIN.value if r == Round.INITIAL else f"{stage.VERMIN.value}:{r}", label)
                for r, label in Round.choices
            ],
        ),
        (
            stage.VERFAK.label,
            [
                (f"{stage.VERFAK.value}:{n}", _("Verifikasi faktual %(n)s") % {"n": n})
                for n in (1, 2)
            ],
        ),
        (stage.DECISION.value, stage.DECISION.label),
    ]


class IssueForm(forms.Form):
    stage = forms.ChoiceField(label=_("Tahap"), choices=_stage_choices)
    area = forms.ChoiceField(label=_("Tingkat"))
    number = forms.CharField(
        label=_("Nomor berita acara"),
        max_length=100,
        required=False,
        help_text=_("Kosongkan untuk nomor urut otomatis."),
    )
    meeting_date = forms.DateField(label=_("Tanggal rapat pleno"), widget=DateInput())
    meeting_place = forms.CharField(label=_("Tempat rapat pleno"), max_length=200)
    kpu = PeopleField(label=_("Anggota KPU yang hadir"), required=False, help_text=PEOPLE_HELP)
    bawaslu = PeopleField(label=_("Pengawas (Bawaslu) yang hadir"), required=False,
                          help_text=PEOPLE_HELP)  # fmt: skip
    lo = PeopleField(label=_("Penghubung (LO) bakal pasangan calon"), required=False,
                     help_text=PEOPLE_HELP)  # fmt: skip

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas
        self.fields["meeting_date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        stage, _sep, round = (data.get("stage") or "").partition(":")
        data["stage"], data["round"] = stage, int(round or 0)
        return data

    def people(self) -> list[Person]:
        return [
            Person(name=name, role=role, group=group)
            for group in ("kpu", "bawaslu", "lo")
            for name, role in self.cleaned_data[group]
        ]


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Berkas PDF berita acara"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.MINUTES_VERIFY_MAX_BYTES
        if f.size > limit:
            raise ValidationError(
                _("Berkas terlalu besar: berita acara yang asli jauh di bawah %(mb)s MB.")
                % {"mb": limit // (1024 * 1024)}
            )
        return f


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Kode verifikasi (tertera di kaki setiap halaman)"),
                           max_length=40)  # fmt: skip
