from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from candidates.kinds import level_choices
from candidates.models import Election, Round, SupportUpload
from electorate.models import Region, RollImport
from files.uploads import upload_size_check
from staff.access import q_within

UPLOAD_EXTENSIONS = (".csv", ".xlsx")


class DateInput(forms.DateInput):
    """The browser's date picker: its value is always ISO (YYYY-MM-DD) whatever the locale's
    input formats (id writes 27-11-2024, which an <input type=date> would drop). Every app's
    date fields use this one."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, its value ISO (YYYY-MM-DDTHH:MM) as DateInput's."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ElectionForm(forms.Form):
    name = forms.CharField(
        label=_("Nama pemilihan"),
        max_length=200,
        required=False,
        help_text=_("Jika kosong: “Pemilihan <jenis> <wilayah>”."),
    )
    slug = forms.SlugField(
        label=_("Kode singkat"),
        max_length=80,
        help_text=_("Huruf kecil, angka dan tanda hubung, tanpa spasi; misalnya pilgub-dki-2024."),
    )
    region = forms.ModelChoiceField(label=_("Wilayah"), queryset=Region.objects.none())
    level = forms.ChoiceField(label=_("Jenis pemilihan"), choices=level_choices)
    dpt = forms.IntegerField(
        label=_("Jumlah DPT pemilihan terakhir"),
        min_value=1,
        help_text=_(
            "Angka saja, tanpa titik; misalnya 8252897. Syarat minimal dukungan dihitung "
            "otomatis dari angka ini (UU 10/2016 Pasal 41)."
        ),
    )
    voting_day = forms.DateField(label=_("Hari pemungutan suara"), widget=DateInput)
    submission_start = forms.DateField(
        label=_("Awal penyerahan dukungan"), required=False, widget=DateInput
    )
    submission_end = forms.DateField(
        label=_("Akhir penyerahan dukungan"), required=False, widget=DateInput
    )
    rule_set = forms.ChoiceField(
        label=_("Aturan jumlah dukungan perbaikan"),
        choices=Election.RuleSet.choices,
        initial=Election.RuleSet.RULES_2024,
    )
    submission_check = forms.BooleanField(
        label=_("Penelitian jumlah minimal dukungan dan persebaran sebelum verifikasi"),
        required=False,
        initial=True,
        help_text=_(
            "Daftar yang kurang dari syarat minimal atau sebarannya dikembalikan kepada tim "
            "untuk dilengkapi dalam masa penyerahan; masih kurang saat masa penyerahan "
            "berakhir: tidak dapat melanjutkan ke verifikasi."
        ),
    )
    registry_confirmation = forms.BooleanField(
        label=_("NIK yang tidak ada di DPT dikonfirmasi ke Dukcapil"),
        required=False,
        initial=False,
        help_text=_(
            "Pendukung yang NIK-nya tidak ada di DPT berstatus BMS sampai Dukcapil menjawab "
            "(ditemukan, domisili, tanggal lahir, hidup); jawabannya diterapkan pada "
            "verifikasi berikutnya. Tanpa ini: TMS."
        ),
    )

    def __init__(self, *args, area: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        # Elections are held in a province or a kab/kota inside the commissioner's area.
        self.fields["region"].queryset = Region.objects.filter(
            q_within("code", area), level__lte=Region.Level.KABKOTA
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Election.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Kode singkat ini sudah dipakai pemilihan lain."))
        return slug


class PairForm(forms.Form):
    name = forms.CharField(
        label=_("Nama pasangan"),
        max_length=200,
        help_text=_("Nama bakal calon dan wakilnya, misalnya: Andi Wijaya - Rina Kusuma."),
    )


class TeamMemberForm(forms.Form):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        help_text=_("Dipakai untuk masuk; misalnya tim_andi. Tanpa spasi."),
    )
    email = forms.EmailField(label=_("Surel"), required=False)
    password = forms.CharField(
        label=_("Kata sandi"),
        widget=forms.PasswordInput,
        help_text=_(
            "Paling sedikit 8 karakter, jangan hanya angka. Sampaikan ke tim secara langsung."
        ),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("Nama pengguna ini sudah dipakai."))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(data["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class RoundSelect(forms.Select):
    """A choice of rounds whose closed ones cannot be picked (`closed`: their values), so a
    file chosen for a closed round is not sent only to be refused and cleared."""

    def __init__(self, *args, closed: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.closed = closed

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.closed:
            option["attrs"]["disabled"] = True
        return option


class SupportUploadForm(forms.Form):
    round = forms.TypedChoiceField(
        label=_("Tahap"), choices=Round.choices, coerce=int, initial=Round.INITIAL
    )
    file = forms.FileField(
        label=_("Berkas daftar dukungan (CSV atau XLSX)"),
        help_text=_(
            "Baris pertama berisi judul kolom: NIK, NAMA, TEMPAT_LAHIR, TANGGAL_LAHIR, "
            "JENIS_KELAMIN, ALAMAT, RT, RW, KODE_WILAYAH, PEKERJAAN, STATUS_PERKAWINAN, HALAMAN. "
            "Format kolom NIK sebagai Teks di Excel agar 16 angkanya tidak berubah."
        ),
    )

    def __init__(self, *args, windows=(), today=None, **kwargs):
        """`windows`: the election's submission windows. Each round is labelled with its
        window, and while one is open the closed ones cannot be chosen."""
        super().__init__(*args, **kwargs)
        if not windows or today is None:
            return
        by_round = {w.round: w for w in windows}
        open_now = {w.round for w in windows if w.opens <= today <= w.closes}
        choices, closed = [], set()
        for value, label in Round.choices:
            window = by_round.get(value)
            if window is None:
                choices.append((value, label))
                continue
            span = " s.d. ".join(
                date_format(d, "SHORT_DATE_FORMAT") for d in (window.opens, window.closes)
            )
            if value in open_now:
                choices.append(
                    (value, _("%(round)s (terbuka %(span)s)") % {"round": label, "span": span})
                )
            else:
                choices.append((value, _("%(round)s (ditutup; masa %(span)s)") % {
                    "round": label, "span": span}))  # fmt: skip
                closed.add(str(value))
        field = self.fields["round"]
        field.choices = choices
        field.widget = RoundSelect(choices=choices, closed=frozenset(closed if open_now else ()))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Hanya berkas CSV atau XLSX yang diterima."))
        upload_size_check(SupportUpload, f.size)  # the limit in MB, before the file is kept
        return f


class SupporterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cari nama atau NIK"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("nama, atau 16 angka NIK")}
        ),
    )
    round = forms.TypedChoiceField(
        label=_("Tahap"),
        choices=[("", _("Semua"))] + Round.choices,
        coerce=int,
        required=False,
        empty_value=None,
    )
    # A region code (any code: the list is cut to the user's area first, so a code outside it
    # finds nothing); offered as a choice of the areas below the user's, and not at all to a
    # PPS, whose area is one kelurahan.
    kelurahan = forms.CharField(label=_("Wilayah"), required=False, max_length=13)

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["kelurahan"]
        if areas:
            field.widget = forms.Select(choices=[("", _("Semua wilayah")), *areas])
        else:
            field.widget = forms.HiddenInput()


class RollUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar pemilih (CSV)"),
        help_text=_(
            "Baris pertama berisi judul kolom: NIK, NAMA, TEMPAT_LAHIR, TANGGAL_LAHIR, "
            "JENIS_KELAMIN, STATUS_PERKAWINAN, ALAMAT, RT, RW, KODE_WILAYAH."
        ),
    )

    def __init__(self, *args, voters: int = 0, **kwargs):
        """`voters`: how many the roll holds already; then the file is added to them, which
        the KPU confirms (a second part of a roll, not a replacement of it)."""
        super().__init__(*args, **kwargs)
        if voters:
            count = f"{voters:,}".replace(",", ".")
            self.fields["confirm_append"] = forms.BooleanField(
                label=_(
                    "Saya mengerti: berkas ini DITAMBAHKAN ke DPT yang sudah berisi %(n)s "
                    "pemilih, tidak menggantinya."
                )
                % {"n": count},
                help_text=_(
                    "NIK yang sudah ada di DPT tidak diubah. Impor yang keliru dapat dibatalkan "
                    "dari halaman impornya selama DPT belum dipakai verifikasi."
                ),
                error_messages={
                    "required": _(
                        "Centang pernyataan ini untuk menambahkan berkas ke DPT yang sudah "
                        "berisi %(n)s pemilih."
                    )
                    % {"n": count}
                },
            )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".txt", ".csv.gz")):
            raise forms.ValidationError(_("Hanya berkas CSV yang diterima."))
        upload_size_check(RollImport, f.size)
        return f


class WindowForm(forms.Form):
    opens = forms.DateField(label=_("Hari pertama penyerahan"), widget=DateInput)
    closes = forms.DateField(
        label=_("Hari terakhir penyerahan"),
        widget=DateInput,
        help_text=_("Unggahan di luar tanggal ini ditolak, dengan tanggalnya dalam pesan."),
    )


class SummaryUploadForm(forms.Form):
    """The team's form B.2-KWK: its own count per kab/kota or kecamatan (candidates.summary)."""

    summary = forms.FileField(
        label=_("Rekapitulasi dukungan tim, formulir B.2-KWK (CSV atau XLSX)"),
        help_text=_(
            "Dua kolom: KODE_WILAYAH (kode kecamatan, atau kabupaten/kota untuk pemilihan "
            "gubernur; kode kelurahan juga diterima dan dijumlahkan) dan JUMLAH. Satu baris "
            "per wilayah."
        ),
    )

    def clean_summary(self):
        f = self.cleaned_data["summary"]
        if not f.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Hanya berkas CSV atau XLSX yang diterima."))
        return f
