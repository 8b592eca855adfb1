"""Forms of the field pages. They parse what was typed; the rules are the services' (their
errors, keyed by the sheet's column names, come back onto the fields: `entry_errors_add`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.forms import DateInput, DateTimeInput
from candidates.models import Round
from electorate.areas import code_depth
from fieldwork import findings
from fieldwork.entries import FIELD_OF_COLUMN, Entry, EntryError
from fieldwork.models import Advice, Method

SHEET_EXTENSIONS = (".csv", ".xlsx")


def _blank(choices, label) -> list:
    return [("", label), *choices]


class StageStartForm(forms.Form):
    round = forms.TypedChoiceField(
        label=_("Hasil verifikasi administrasi tahap"),
        choices=_blank(Round.choices, _("Tahap terakhir yang selesai (disarankan)")),
        coerce=int,
        required=False,
        empty_value=None,
    )
    opens = forms.DateField(
        label=_("Tanggal mulai"),
        widget=DateInput,
        initial=timezone.localdate,
        help_text=_("Masa verifikasi faktual dihitung dari tanggal ini (hari kalender)."),
    )


class WindowForm(forms.Form):
    closes = forms.DateField(label=_("Tanggal penutupan baru"), widget=DateInput)
    reason = forms.CharField(
        label=_("Alasan perubahan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan membuka kembali"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class EntryForm(forms.Form):
    """One supporter's finding. Prefixed with the task id, so that a worklist holds one per row;
    the deceased date and the chosen pair are shown only where they apply (static/js/verfak.js)."""

    finding = forms.ChoiceField(
        label=_("Hasil"), choices=lambda: _blank(findings.finding_choices(), _("Pilih hasil…"))
    )
    method = forms.ChoiceField(
        label=_("Metode"), choices=_blank(Method.choices, _("Pilih metode…"))
    )
    visited_on = forms.DateField(label=_("Tanggal"), widget=DateInput, initial=timezone.localdate)
    deceased_on = forms.DateField(
        label=_("Tanggal meninggal"),
        widget=DateInput,
        required=False,
    )
    chosen_pair_id = forms.TypedChoiceField(
        label=_("Pasangan yang dipilih"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Pendukung ini terdaftar pada lebih dari satu pasangan: ia memilih satu. Kosongkan "
            "bila pilihannya sudah tercatat: pilihan itu tetap berlaku."
        ),
    )

    def __init__(self, *args, task, pairs=(), **kwargs):
        kwargs.setdefault("prefix", f"t{task.pk}")
        super().__init__(*args, **kwargs)
        self.task = task
        if task.double:
            self.fields["chosen_pair_id"].choices = _blank(
                [(p.pk, p.name) for p in pairs], _("Pilih pasangan…")
            )
        else:
            del self.fields["chosen_pair_id"]
        self.fields["finding"].widget.attrs["data-finding"] = ""
        # The columns only some findings fill: the phone form shows each for those findings
        # alone (static/js/verfak.js reads the list, from the findings table).
        for column in findings.finding_columns():
            name = FIELD_OF_COLUMN[column]
            takes = findings.column_findings(column)
            self.fields[name].widget.attrs["data-findings"] = " ".join(takes)
            self.fields[name].help_text = _("Hanya untuk hasil %(codes)s.") % {
                "codes": findings.codes_text(takes)
            }

    def entry(self) -> Entry:
        data = self.cleaned_data
        return Entry(
            finding=data["finding"],
            method=data["method"],
            visited_on=data["visited_on"],
            deceased_on=data.get("deceased_on"),
            chosen_pair_id=data.get("chosen_pair_id"),
        )

    def entry_errors_add(self, errors: list[EntryError]) -> None:
        for error in errors:
            name = FIELD_OF_COLUMN.get(error.column)
            self.add_error(name if name in self.fields else None, error.message)


class CorrectionForm(EntryForm):
    reason = forms.CharField(
        label=_("Alasan koreksi"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, task, pairs=(), **kwargs):
        kwargs.setdefault("prefix", f"k{task.pk}")
        super().__init__(*args, task=task, pairs=pairs, **kwargs)


class AttestForm(forms.Form):
    statement = forms.CharField(
        label=_("Keterangan kesaksian penolakan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Tuliskan apa yang disaksikan: pendukung menolak memberikan dukungan tetapi tidak "
            "mau menandatangani surat pernyataan."
        ),
    )


class AdviceForm(forms.Form):
    target = forms.ChoiceField(label=_("Sasaran"), choices=Advice.Target.choices)
    # Every advice has an area: the KPU Kab/Kota of that area answers it. Advice about a
    # supporter takes the supporter's kelurahan; advice about an area or the procedure names it.
    region_code = forms.ChoiceField(
        label=_("Wilayah"),
        help_text=_(
            "Wajib untuk saran tentang hasil satu wilayah atau prosedur: KPU wilayah itu yang "
            "menjawab."
        ),
        error_messages={
            "required": _(
                "Pilih Wilayah: saran tentang hasil satu wilayah atau prosedur perlu wilayahnya."
            )
        },
    )
    text = forms.CharField(
        label=_("Saran perbaikan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args, regions=(), task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = _blank(
            [(code, f"{'— ' * (code_depth(code) - 1)}{name} ({code})") for code, name in regions],
            _("Pilih wilayah…"),
        )
        if task is None:
            choices = [c for c in Advice.Target.choices if c[0] != Advice.Target.SUPPORTER]
            self.fields["target"].choices = choices
        else:
            self.fields["target"].initial = Advice.Target.SUPPORTER
            # The supporter's kelurahan is the advice's area: nothing to choose.
            del self.fields["region_code"]


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Jawaban"),
        choices=[("1", _("Diterima")), ("0", _("Ditolak"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Tindak lanjut atau alasan penolakan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    correct = forms.BooleanField(label=_("Sertakan koreksi hasil pendukung ini"), required=False)


class ReportForm(forms.Form):
    region_code = forms.ChoiceField(label=_("Wilayah"))
    observed_at = forms.DateTimeField(
        label=_("Waktu pengawasan"), widget=DateTimeInput, initial=timezone.localtime
    )
    place = forms.CharField(label=_("Tempat"), max_length=200)
    observed = forms.CharField(
        label=_("Hasil pengawasan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [
            (code, f"{'— ' * (code_depth(code) - 1)}{name} ({code})") for code, name in regions
        ]


class SheetForm(forms.Form):
    file = forms.FileField(
        label=_("Lembar hasil verifikasi faktual (CSV atau XLSX)"),
        help_text=_(
            "Baris pertama berisi judul kolom: NIK, HASIL, METODE, TANGGAL, dan bila perlu "
            "PASLON_PILIHAN, TANGGAL_MENINGGAL. Format kolom NIK sebagai Teks di Excel."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(SHEET_EXTENSIONS):
            raise forms.ValidationError(_("Hanya berkas CSV atau XLSX yang diterima."))
        return f


class WorklistFilterForm(forms.Form):
    STATUSES = [
        ("", _("Semua")),
        ("belum", _("Belum diverifikasi")),
        ("MS", _("MS")),
        ("TMS", _("TMS")),
        ("dihadirkan", _("Menunggu dihadirkan")),
        ("saksi", _("Penolakan belum disaksikan")),
    ]
    q = forms.CharField(
        label=_("Cari nama atau RT/RW"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("mis. Budi atau 003/008"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
