"""The filling guide of the two files the KPU and the teams upload: the support list (form
B.1-KWK as a table) and the voter roll (DPT). A file whose header lacks a column says which
one and links here, where every accepted spelling of every column is listed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from files.parsing import COLUMNS

COLUMN_HELP = {
    "NIK": _(
        "16 angka dari KTP-el. Di Excel, format kolom sebagai Teks sebelum mengetik; jika tampil "
        "3,17101E+15 berarti angkanya sudah rusak dan harus diketik ulang."
    ),
    "NAMA": _("Nama lengkap sesuai KTP-el."),
    "TEMPAT_LAHIR": _("Kota atau kabupaten tempat lahir, paling banyak 100 karakter."),
    "TANGGAL_LAHIR": _("Hari-bulan-tahun, misalnya 26-01-1978 atau 26 Januari 1978."),
    "JENIS_KELAMIN": _("L (laki-laki) atau P (perempuan)."),
    "ALAMAT": _("Alamat sesuai KTP-el, tanpa RT/RW (yang punya kolom sendiri)."),
    "RT": _("Angka, paling banyak 3 digit, misalnya 003."),
    "RW": _("Angka, paling banyak 3 digit, misalnya 008."),
    "KODE_WILAYAH": _(
        "Kode kelurahan/desa Kemendagri, 10 angka (3171011002) atau bertitik (31.71.01.1002)."
    ),
    "PEKERJAAN": _("Pekerjaan sesuai KTP-el, misalnya KARYAWAN SWASTA."),
    "STATUS_PERKAWINAN": _("BELUM KAWIN, KAWIN, atau CERAI HIDUP/CERAI MATI (B, S, P)."),
    "HALAMAN": _(
        "Nomor halaman formulir B.1-KWK tempat pernyataan dukungan ini, agar baris dapat "
        "dicocokkan dengan berkas fisiknya."
    ),
}


def guide_columns(required: tuple[str, ...]) -> list[dict]:
    """The columns of a file in order: name, what to write, every header accepted for it."""
    return [
        {"name": column, "help": COLUMN_HELP[column], "aliases": COLUMNS[column]}
        for column in required
    ]
