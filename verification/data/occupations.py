"""Occupations barred from supporting a candidate (RESTRICTED_OCCUPATION), as the words teams
type in the occupation (PEKERJAAN) column, grouped by the law that bars them.

verification/occupations.py matches them word by word after normalising the text (case,
punctuation, "P N S", common abbreviations), tolerating a misspelt long word; the labelled set
occupations_labelled.csv scores it (`python -m bench.labels`). A term is a phrase of words:
"PEGAWAI NEGERI" matches "Pegawai Negri Sipil", "PNS" matches "pns guru", never "PNSX".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str  # stored nowhere: names the group in the labelled set and the benchmark
    basis: str  # the law that bars the group
    terms: tuple[str, ...]  # phrases, upper case, words separated by one space


def _terms(text: str) -> tuple[str, ...]:
    """One phrase a line."""
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


CATEGORIES: tuple[Category, ...] = (
    Category(
        "TNI",
        "UU 34/2004 Art. 39: a soldier may not take part in practical politics",
        _terms(
            """
            TNI
            ABRI
            TENTARA
            TENTARA NASIONAL INDONESIA
            PRAJURIT
            ANGKATAN DARAT
            ANGKATAN LAUT
            ANGKATAN UDARA
            MARINIR
            KOPASSUS
            KOSTRAD
            PASKHAS
            KOPASKA
            BABINSA
            KORAMIL
            KODIM
            KOREM
            KODAM
            LANAL
            LANUD
            BINTARA
            TAMTAMA
            PRADA
            PRATU
            PRAKA
            KOPDA
            KOPTU
            KOPKA
            SERDA
            SERTU
            SERKA
            SERMA
            PELDA
            PELTU
            LETDA
            LETTU
            LETKOL
            KOLONEL
            """
        ),
    ),
    Category(
        "Polri",
        "UU 2/2002 Art. 28(1): the police are neutral and take no part in practical politics",
        _terms(
            """
            POLRI
            POLISI
            KEPOLISIAN
            BRIMOB
            BRIGADE MOBIL
            POLWAN
            BHAYANGKARA
            BHABINKAMTIBMAS
            BABINKAMTIBMAS
            POLSEK
            POLRES
            POLRESTA
            POLRESTABES
            POLDA
            DENSUS
            SABHARA
            POLANTAS
            SATLANTAS
            RESKRIM
            INTELKAM
            PROPAM
            BRIGADIR
            BRIPDA
            BRIPTU
            BRIGPOL
            BRIPKA
            AIPDA
            AIPTU
            IPDA
            IPTU
            AKP
            KOMPOL
            AKBP
            KOMBES
            """
        ),
    ),
    Category(
        "ASN",
        "UU 20/2023 (ASN: PNS and PPPK); PP 94/2021 Art. 5 letter n (a civil servant may not give "
        "a candidate a support letter with an ID copy); a CPNS is appointed to the same duties "
        "(project decision); honorary staff (honorer, PPNPN) are not ASN",
        _terms(
            """
            ASN
            PNS
            CPNS
            CALON PNS
            CALON PEGAWAI NEGERI SIPIL
            PPPK
            P3K
            PEGAWAI NEGERI
            NEGERI SIPIL
            APARATUR SIPIL
            PEGAWAI PEMERINTAH DENGAN PERJANJIAN KERJA
            CAMAT
            SEKCAM
            SEKDA
            POLISI HUTAN
            POLHUT
            """
        ),
    ),
    Category(
        "penyelenggara",
        "UU 7/2017 (election organisers: KPU, Bawaslu, DKPP and their ad hoc bodies PPK, PPS, "
        "KPPS, Panwaslu Kecamatan, Panwaslu Kelurahan/Desa, Pengawas TPS); UU 10/2016 (the same "
        "bodies in regional elections); PKPU 8/2024 and the PKPU on voter lists (Pantarlih, "
        "PPDP; articles not confirmed)",
        _terms(
            """
            KPU
            KPUD
            KIP
            DKPP
            PPK
            PPS
            KPPS
            PPDP
            PANTARLIH
            PETUGAS PEMUTAKHIRAN DATA PEMILIH
            PANITIA PEMILIHAN KECAMATAN
            PANITIA PEMUNGUTAN SUARA
            KELOMPOK PENYELENGGARA PEMUNGUTAN SUARA
            PENYELENGGARA PEMILU
            PENYELENGGARA PEMILIHAN
            KOMISI PEMILIHAN UMUM
            BAWASLU
            BAWASLUD
            PANWAS
            PANWASLU
            PANWASCAM
            PANWASLUCAM
            PKD
            PTPS
            PENGAWAS PEMILU
            PENGAWAS PEMILIHAN
            PENGAWAS KECAMATAN
            PENGAWAS KELURAHAN
            PENGAWAS DESA
            PENGAWAS TPS
            """
        ),
    ),
    Category(
        "kepala desa",
        "UU 6/2014 Art. 29 letters g and j (a village head may hold no party office nor take part "
        "in a campaign); Art. 1: the village 'or what is called by another name', hence the "
        "regional names (Geuchik/Keuchik: UU 11/2006 Aceh; Wali Nagari: Sumatera Barat; Perbekel: "
        "Bali; Kuwu: Cirebon, Indramayu; Hukum Tua: Minahasa; Petinggi: Kutai, Jepara; Pambakal: "
        "Kalimantan Selatan; Penghulu: Riau; Kepala Lembang: Toraja; Kepala Pekon, Peratin, "
        "Kepala Tiyuh: Lampung; Kepala Kampung: Papua, Kalimantan Timur, Riau; Sangadi: Bolaang "
        "Mongondow; Kapitalaung: Sangihe; Kepala Ohoi: Kei; Raja/Kepala Negeri: Maluku); the "
        "lurah of a kelurahan is ASN (UU 23/2014 Art. 229, article not confirmed)",
        _terms(
            """
            KEPALA DESA
            KADES
            KEPDES
            LURAH
            KEPALA KELURAHAN
            GEUCHIK
            KEUCHIK
            KECHIK
            KEPALA GAMPONG
            WALI NAGARI
            WALINAGARI
            PERBEKEL
            KUWU
            HUKUM TUA
            KEPALA KAMPUNG
            PETINGGI
            PAMBAKAL
            PENGHULU
            DATUK PENGHULU
            KEPALA LEMBANG
            KEPALA PEKON
            PERATIN
            KEPALA TIYUH
            SANGADI
            KAPITALAUNG
            KEPALA OHOI
            KEPALA NEGERI
            RAJA NEGERI
            """
        ),
    ),
    Category(
        "perangkat desa",
        "UU 6/2014 Art. 51 letters g and j (village officials: the village secretary, heads of "
        "affairs and sections, heads of hamlets, whatever their regional names); Art. 64 (BPD "
        "members: no party office; barred with the officials)",
        _terms(
            """
            PERANGKAT DESA
            APARAT DESA
            APARATUR DESA
            STAF DESA
            STAFF DESA
            PEGAWAI DESA
            SEKRETARIS DESA
            SEKDES
            CARIK
            KEPALA URUSAN
            KAUR
            KEPALA SEKSI
            KASI
            KEPALA DUSUN
            KADUS
            KAMITUWO
            BAYAN
            KEBAYAN
            MODIN
            JOGOBOYO
            KEPALA JORONG
            KEPALA LINGKUNGAN
            KALING
            KELIAN DINAS
            KELIAN BANJAR DINAS
            BPD
            BADAN PERMUSYAWARATAN DESA
            """
        ),
    ),
)

# Jobs that contain a term's words and are not the post: matched first, so their words cannot
# make a term. Municipal police (Satpol PP) are local-government staff, not Polri; the police
# and army wives' associations (Bhayangkari, Persit) are not the force; a village midwife,
# facilitator or health cadre is not a village official; a school head is not a village head.
NOT_RESTRICTED = _terms(
    """
    POLISI PAMONG PRAJA
    SATPOL PP
    POL PP
    BHAYANGKARI
    PERSIT
    KEPALA SEKOLAH
    """
)

# Words that say the person does not hold the post (any more, or yet): retired, former, a spouse
# or a relative of the holder, a candidate for it (CALON KADES; but CALON PNS is the CPNS term
# above), "not", "non" (NON PNS is honorary staff). Within a few words before the term, or right
# after it ("PNS PENSIUNAN", "TNI PURN").
NOT_HOLDER = frozenset(
    _terms(
        """
        PENSIUNAN
        PENSIUN
        PURNAWIRAWAN
        PURN
        PURNA
        PURNABAKTI
        MANTAN
        EKS
        EX
        BEKAS
        ISTRI
        ISTERI
        SUAMI
        ANAK
        JANDA
        DUDA
        KELUARGA
        CALON
        NON
        BUKAN
        """
    )
)

# Abbreviations and spellings teams use for a word of a term.
ABBREVIATIONS = {
    "ANGG": "ANGGOTA",
    "AGT": "ANGGOTA",
    "ANGGT": "ANGGOTA",
    "ANGT": "ANGGOTA",
    "PEG": "PEGAWAI",
    "PEGW": "PEGAWAI",
    "PEGAWE": "PEGAWAI",
    "NEGRI": "NEGERI",
    "KA": "KEPALA",
    "KEP": "KEPALA",
    "KPL": "KEPALA",
    "SEK": "SEKRETARIS",
    "SEKR": "SEKRETARIS",
    "SEKRETARI": "SEKRETARIS",
    "DS": "DESA",
    "DSA": "DESA",
    "KEL": "KELURAHAN",
    "KEC": "KECAMATAN",
}

# Ordinary words one letter away from a long term word: matched only as themselves.
ORDINARY_WORDS = frozenset(
    _terms(
        """
        POLIS
        KELAPA
        NEGARA
        """
    )
)
