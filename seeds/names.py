"""Word lists for synthetic Jakarta residents: names by cultural group, places, streets, jobs.

Small on purpose: the generator combines them, so a few dozen entries a list give hundreds of
thousands of distinct full names. Spelled as the DPT writes them (upper case, modern spelling);
the support generator derives the other spellings that teams actually type.
"""

from __future__ import annotations

# fmt: off
# (weight in Jakarta, male given names, female given names, second/family names, birthplaces)
# Weights follow the rough make-up of Jakarta's population (BPS 2010: Javanese, Betawi and
# Sundanese are the three largest groups; then Chinese-Indonesian, Batak, Minang and others).
Names = tuple[str, ...]
GROUPS: dict[str, tuple[int, Names, Names, Names, Names]] = {
    "jawa": (
        35,
        (
            "AGUS", "BAMBANG", "BUDI", "JOKO", "SUHARTO", "SUKARNO", "SUTRISNO", "SUPARMAN",
            "SUDIRMAN", "WAHYU", "EKO", "DWI", "TRI", "HERU", "SLAMET", "PURNOMO", "SUGENG",
            "TEGUH", "WIDODO", "HARYANTO", "SUSILO", "BAYU", "ARIF", "DANANG", "GUNTUR", "RUDI",
            "ANDRI", "SURYADI", "JUNAEDI", "CAHYO", "PRASETYO", "YULIANTO",
        ),
        (
            "SRI", "SITI", "ENDANG", "WAHYUNI", "RINI", "SUSANTI", "DEWI", "ESTI", "TUTIK",
            "SUMARNI", "SUPARTINI", "KARTINI", "RATNA", "YULI", "PUJI", "ANI", "WULAN", "INDAH",
            "LESTARI", "SUCI", "RAHAYU", "UTAMI", "NINGSIH", "PURWANTI",
        ),
        (
            "SANTOSO", "WIBOWO", "SETIAWAN", "HIDAYAT", "PRASETYO", "SAPUTRA", "NUGROHO",
            "KURNIAWAN", "SUSANTO", "WIJAYANTO", "SUPRIYADI", "HARTONO", "SUGIARTO", "SULISTYO",
            "WAHYUDI", "RAHAYU", "LESTARI", "WULANDARI", "NINGSIH", "ASTUTI", "SUCIPTO",
            "SUJATMIKO", "PURWANTO", "HANDAYANI", "SETYOWATI",
        ),
        (
            "SEMARANG", "SURAKARTA", "YOGYAKARTA", "KLATEN", "SURABAYA", "KEBUMEN", "PURWOREJO",
            "TEGAL", "BREBES", "KUDUS", "MADIUN", "KEDIRI", "WONOGIRI", "CILACAP",
        ),
    ),
    "betawi": (
        28,
        (
            "MUHAMMAD", "ABDUL", "AHMAD", "ROJALI", "MADUN", "SAMSUDIN", "JAHRUDIN", "MUHIDIN",
            "SARIPUDIN", "NAWI", "SAIDI", "MUKHLIS", "HASAN", "ZAINUDIN", "RIDWAN", "MAMAT",
            "ROHIM", "BASRI", "SOLIHIN", "FAHRUDIN",
        ),
        (
            "SITI", "AMINAH", "FATIMAH", "KHADIJAH", "MARYAM", "ROHAYATI", "NURHASANAH", "SALMAH",
            "MUNAWAROH", "ZAENAB", "ROSIDAH", "HALIMAH", "JUBAEDAH", "NUR'AINI", "MASITOH",
        ),
        (
            "ROHMAN", "SYAFEI", "MOCHTAR", "HASANUDIN", "KAMAL", "SAMAD", "RAHMAN", "SALEH",
            "MUHTAR", "NAIPIN", "ASMAWI", "SUHAENI", "ROHAYA", "SUMIATI", "MARDIAH",
        ),
        (
            "JAKARTA", "TANGERANG", "BEKASI", "DEPOK", "BOGOR",
        ),
    ),
    "sunda": (
        15,
        (
            "ASEP", "UJANG", "CECEP", "DEDE", "DADANG", "JAJANG", "ENDANG", "YAYAN", "UJANG",
            "AGUS", "IWAN", "DENI", "ROHMAT", "ENJANG", "AAN", "DUDUNG", "YUDI", "KOSASIH",
        ),
        (
            "EUIS", "NENENG", "IIS", "CUCU", "ENUNG", "YATI", "NENG", "RISMA", "TITIN", "ELIS",
            "IMAS", "NINING", "YAYAH", "ROSITA", "WIDIA",
        ),
        (
            "SAEPUDIN", "HIDAYAT", "SUPRIATNA", "KUSNADI", "SOBARI", "RUKMANA", "SUHERMAN",
            "SUNARYA", "SETIADI", "PERMANA", "KURNIA", "NURJANAH", "ROHAETI", "KOMARIAH", "SUMARNA",
        ),
        (
            "BANDUNG", "GARUT", "TASIKMALAYA", "SUKABUMI", "CIANJUR", "BOGOR", "SUMEDANG",
            "KUNINGAN", "CIAMIS",
        ),
    ),
    "tionghoa": (
        7,
        (
            "HENDRA", "KEVIN", "WILLIAM", "SUSANTO", "HARTONO", "BUDI", "ANTON", "JOHAN", "RUDY",
            "FELIX", "STEVEN", "HERMAN", "JIMMY", "ALBERT", "CANDRA", "EDDY",
        ),
        (
            "LILI", "MEILANI", "LINDA", "SUSAN", "VERONIKA", "JESSICA", "NATALIA", "MELIANA",
            "FENNY", "YENNY", "LANNY", "CINDY", "GRACE", "WENNY",
        ),
        (
            "GUNAWAN", "WIJAYA", "HALIM", "SALIM", "TANOTO", "KUSUMA", "TANUWIJAYA", "SANTOSO",
            "HARTANTO", "LIMANTO", "SETIADI", "TJANDRA", "SUTANTO", "LIEM", "TAN",
        ),
        (
            "JAKARTA", "MEDAN", "PONTIANAK", "SEMARANG", "SURABAYA", "BANGKA", "SINGKAWANG",
        ),
    ),
    "batak": (
        5,
        (
            "HOTMAN", "MARULI", "RUDOLF", "PARLINDUNGAN", "BONAR", "TUMPAL", "SAHAT", "JONNER",
            "HOTLAN", "MANGIRING", "DAPOT", "POLTAK", "TORANG", "BINSAR",
        ),
        (
            "TIURMA", "ROSLINA", "HOTMAIDA", "NURHAYATI", "RUMONDANG", "LAMRIA", "DELIMA",
            "SRIMAULI", "TETTY", "MASDIANA",
        ),
        (
            "SIREGAR", "NASUTION", "SIMANJUNTAK", "HUTAPEA", "SITOMPUL", "SITUMORANG", "LUBIS",
            "HARAHAP", "PARDEDE", "SINAGA", "PANJAITAN", "SIMATUPANG", "HUTAGALUNG", "SIAHAAN",
            "MANURUNG", "TAMPUBOLON",
        ),
        (
            "MEDAN", "TARUTUNG", "PEMATANG SIANTAR", "SIBOLGA", "BALIGE", "PADANG SIDEMPUAN",
        ),
    ),
    "minang": (
        5,
        (
            "RIZAL", "AFRIZAL", "YUSRIZAL", "HENDRI", "ZULKIFLI", "SYAFRIL", "YUNUS", "FIRDAUS",
            "ERWIN", "NOVRIZAL", "DASRIL", "ANDRIZAL",
        ),
        (
            "YULIA", "ELVI", "NURMALA", "YUSNIDAR", "ROSMANIAR", "DESRIANI", "FITRIANI", "ZURAIDA",
            "ERNAWATI", "WIRDANETI",
        ),
        (
            "CHANIAGO", "PILIANG", "KOTO", "TANJUNG", "SIKUMBANG", "JAMBAK", "SIMABUR", "GUCI",
            "MANDAILING", "PANAI",
        ),
        (
            "PADANG", "BUKITTINGGI", "PAYAKUMBUH", "SOLOK", "PARIAMAN", "BATUSANGKAR",
        ),
    ),
    "lain": (
        5,
        (
            "YOHANES", "PETRUS", "FRANSISKUS", "ANDI", "MUHAMMAD", "HUSEIN", "ALI", "UMAR",
            "MARTHEN", "ARNOLD", "I KETUT", "I WAYAN", "I MADE", "LA ODE",
        ),
        (
            "MARIA", "AGNES", "YOHANA", "ANDI", "FATIMAH", "SYARIFAH", "NI MADE", "NI KETUT",
            "NI LUH", "WA ODE",
        ),
        (
            "ALATAS", "ASSEGAF", "SHIHAB", "BAHASUAN", "MANOPPO", "LUMENTUT", "PATTIASINA",
            "LATUHARHARY", "MATTALATTA", "DAENG", "SUDARSANA", "WIRAWAN",
        ),
        (
            "MAKASSAR", "MANADO", "AMBON", "DENPASAR", "KUPANG", "PALEMBANG", "BANJARMASIN",
        ),
    ),
}

# Second names that are a woman's or a man's in the groups where the second name is a given
# name, not a family name (the generator keeps ROHAYU off a man and SANTOSO off a woman).
FEMININE_SECOND = frozenset({
    "RAHAYU", "LESTARI", "WULANDARI", "NINGSIH", "ASTUTI", "HANDAYANI", "SETYOWATI", "NURJANAH",
    "ROHAETI", "KOMARIAH", "SUHAENI", "ROHAYA", "SUMIATI", "MARDIAH",
})
MASCULINE_SECOND = frozenset({
    "SANTOSO", "WIBOWO", "SETIAWAN", "HIDAYAT", "PRASETYO", "SAPUTRA", "NUGROHO", "KURNIAWAN",
    "SUSANTO", "WIJAYANTO", "SUPRIYADI", "HARTONO", "SUGIARTO", "SULISTYO", "WAHYUDI", "SUCIPTO",
    "SUJATMIKO", "PURWANTO", "SAEPUDIN", "SUPRIATNA", "KUSNADI", "SOBARI", "RUKMANA", "SUHERMAN",
    "SUNARYA", "SETIADI", "PERMANA", "SUMARNA", "ROHMAN", "SYAFEI", "MOCHTAR", "HASANUDIN",
    "KAMAL", "SAMAD", "RAHMAN", "SALEH", "MUHTAR", "NAIPIN", "ASMAWI",
})

# Academic and religious titles teams add to a name that the roll writes bare.
PREFIX_TITLES_MALE = (
    "H.", "DR.", "IR.", "DRS.", "PROF. DR.",
)
PREFIX_TITLES_FEMALE = (
    "HJ.", "DR.", "IR.", "DRA.",
)
SUFFIX_DEGREES = (
    "S.H.", "S.E.", "S.KOM", "S.PD", "M.M.", "S.T.", "S.SOS", "M.SI",
)

# Pre-1972 spellings still printed on older IDs and typed on forms: JOKO -> DJOKO, SUHARTO ->
# SOEHARTO, CANDRA -> TJANDRA. Only names that really occur in both spellings.
OLD_SPELLING_NAMES = frozenset({
    "BUDI", "CAHYO", "CANDRA", "JAJANG", "JOKO", "JUNAEDI", "KUSUMA", "SUCI", "SUCIPTO", "SUDIRMAN",
    "SUGIARTO", "SUHARTO", "SUHERMAN", "SUJATMIKO", "SUKARNO", "SUMARNI", "SUNARYA", "SUPARMAN",
    "SUPARTINI", "SUPRIATNA", "SUPRIYADI", "SURYADI", "SUSANTI", "SUSANTO", "SUSILO", "SUTANTO",
    "SUTRISNO", "YUNUS", "YUSRIZAL",
})

def old_spelling(token: str) -> str:
    """Ejaan Soewandi (before 1972): u -> oe, j -> dj, c -> tj."""
    return token.replace("U", "OE").replace("J", "DJ").replace("C", "TJ")


# Jakarta street names for ALAMAT; the generator adds JL./GG./KOMP. and a house number.
STREETS = (
    "KRAMAT RAYA", "SALEMBA RAYA", "CEMPAKA PUTIH TENGAH", "PRAMUKA", "MATRAMAN RAYA", "PEMUDA",
    "TANAH ABANG II", "MANGGA BESAR", "KEMANG RAYA", "CIKINI RAYA", "RAWA BELONG", "KEBON SIRIH",
    "CILANDAK KKO", "PASAR MINGGU", "HAJI NAWI", "KEBON JERUK", "DAAN MOGOT", "KYAI TAPA",
    "PANJANG", "TOMANG RAYA", "PLUIT RAYA", "MUARA KARANG", "YOS SUDARSO", "ENGGANO", "BUGIS",
    "SUNTER JAYA", "KELAPA GADING BOULEVARD", "PEGANGSAAN DUA", "CAKUNG CILINCING", "RAYA BOGOR",
    "KALIMALANG", "PONDOK KOPI", "RAYA PENGGILINGAN", "DEWI SARTIKA", "OTISTA", "KAMPUNG MELAYU",
    "CONDET RAYA", "KALIBATA RAYA", "TEBET BARAT", "MAMPANG PRAPATAN", "FATMAWATI", "RS FATMAWATI",
    "JAGAKARSA", "MOH KAHFI", "LENTENG AGUNG", "CIPUTAT RAYA", "PETUKANGAN", "KEBAYORAN LAMA",
    "GANDARIA", "PALMERAH", "SLIPI", "KEMANGGISAN", "JEMBATAN LIMA", "PEKOJAN", "KALI BESAR",
    "PINANGSIA", "GUNUNG SAHARI", "SAMANHUDI", "KARTINI", "MARDANI", "PERCETAKAN NEGARA",
    "SALEMBA TENGAH", "UTAN KAYU", "RAWAMANGUN MUKA", "PULOGADUNG", "KLENDER", "DUREN SAWIT",
    "CIPINANG MUARA", "KEBON NANAS", "BIDARA CINA", "SWADAYA", "MASJID", "MUSHOLA", "MELATI",
    "MAWAR", "KENANGA", "DAHLIA", "ANGGREK", "FLAMBOYAN", "BELIMBING", "DUKU", "NANGKA", "MANGGIS",
)
STREET_KINDS = (
    "JL.", "JL.", "JL.", "GG.", "KP.", "KOMP.",
)

# Occupations as the KTP-el and the B.1-KWK forms write them. None of these is restricted.
OCCUPATIONS = (
    "KARYAWAN SWASTA", "KARYAWAN SWASTA", "KARYAWAN SWASTA", "WIRASWASTA", "WIRASWASTA",
    "MENGURUS RUMAH TANGGA", "MENGURUS RUMAH TANGGA", "PELAJAR/MAHASISWA", "PEDAGANG",
    "BURUH HARIAN LEPAS", "PENSIUNAN", "SOPIR", "GURU", "DOKTER", "PERAWAT", "TUKANG OJEK",
    "BELUM/TIDAK BEKERJA", "KARYAWAN BUMN", "NELAYAN", "TUKANG BANGUNAN", "PENJAHIT", "SENIMAN",
    "WARTAWAN", "PENGACARA", "USTADZ/MUBALIGH",
)
# Occupations barred from supporting a candidate (docs/domain.md step 3, RESTRICTED_OCCUPATION).
RESTRICTED_OCCUPATIONS = (
    "TNI", "POLRI", "PNS", "ANGGOTA PPS", "KEPALA DESA", "PERANGKAT DESA",
)

# Indonesian month names for dates written out ("17 Agustus 1975") and their short forms.
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)
MONTHS_ID_SHORT = (
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
)
# fmt: on
