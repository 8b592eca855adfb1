from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RollUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar pemilih (CSV)"),
        help_text=_(
            "Baris pertama berisi judul kolom: NIK, NAMA, TEMPAT_LAHIR, TANGGAL_LAHIR, "
            "JENIS_KELAMIN, STATUS_PERKAWINAN, ALAMAT, RT, RW, KODE_WILAYAH."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".txt", ".csv.gz")):
            raise forms.ValidationError(_("Hanya berkas CSV yang diterima."))
        return f
