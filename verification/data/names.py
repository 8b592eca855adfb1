"""What may differ between the name on the roll and the name on the form, as word lists.

The rule (DOMAIN.md step 3, DATA_MISMATCH): a name differs when a given name differs; it does not
differ when only the spelling moved between the old and the new orthography, an abbreviation
stands for a name, or titles, degrees, bin/binti or the word order differ. verification/names.py
applies these lists; each list says where it comes from.

Sources:
- Permendagri 73/2022 (Pencatatan Nama pada Dokumen Kependudukan) Art. 5: the family name
  (marga, famili) MAY be written on a population document; education, customary and religious
  titles MAY be written on the KK and the KTP-el, abbreviated; a name may not be abbreviated
  "unless it cannot be read otherwise", nor carry digits or punctuation. Records made before it
  stay valid (so the roll still holds "MUH." and "ABD.", and apostrophes).
- Keppres 57/1972 (Ejaan yang Disempurnakan, EYD) replaced the Soewandi spelling (1947, which
  had itself replaced the Van Ophuijsen "oe" by "u"): tj -> c, dj -> j, j -> y, nj -> ny,
  sj -> sy, ch -> kh. Names kept their old spelling on many IDs (Soeharto, Djoko, Tjahjo).
- SKB Menteri Agama and Mendikbud 158/1987 and 0543b/U/1987 (Arabic-Latin transliteration):
  kh, q, z (dz), s (ts), the diphthong ai; popular spelling writes h, k, z, s, e for them.
- Pedoman Umum Ejaan (EYD V, 2022; PUEBI before it): a comma separates a person's name from the
  academic degree that follows it ("Budi Santoso, S.H., M.M.").
Where a list below is the project's own decision, it says so.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Titles written before the name: religious (H., Hj., KH., Ustadz), academic or professional
# (Dr., Drs., Ir., Prof., dr., drg., Apt., Ns.), forms of address (Bpk., Ibu, Ny., Sdr.) and
# customary titles that are not given names (Raden and its abbreviations R., R.A., R.Ay., R.M.,
# R.R., Teuku, Tengku, Cut, Datuk). Permendagri
# 73/2022 Art. 5: titles may be on the KTP-el, so the roll has them and the form may not, or the
# reverse. Dropped only at the start of the name: "IWAN H." is Iwan with an initial.
# Not here, though customary titles elsewhere, because they are also given names: ANDI, DAENG,
# SUTAN, MAS, AYU, GUSTI.
TITLES = _words(
    """
    H HJ HJH HAJI HAJJAH HAJAH KH KYAI KIAI USTADZ USTAD USTAZ UST USTADZAH USTAZAH
    DR DRS DRA DRG IR PROF APT NS PDT
    BPK BAPAK BP IBU NY NYONYA TN TUAN SDR SDRI SDRA SAUDARA SAUDARI
    ALM ALMH ALMARHUM ALMARHUMAH
    RADEN R RA RR RM RAY RAJ TEUKU TEUNGKU TENGKU TGK CUT DATUK DATO
    """
)

# Academic degrees (letters only: "S.Pd.I" is SPDI). After the first comma everything is dropped
# anyway (PUEBI); these are also dropped when written without the comma, after the first word.
DEGREES = _words(
    """
    SH SE ST SP SS SKM SHI SEI SAG SPD SPDI SPDSD SKOM SIKOM SKED SKEP SKEB SPSI SSOS SSOSI
    SIP SAP SAN SSI SSN SDS STP SPT SPI SHUT SFARM SGZ SAKT STH STHI STR SHUM SKG SKH SIA SIKOM
    SMB SMN SAB SPAR
    MM MH MSI MPD MPDI MAG MKES MKOM MT MTR MSOS MAP MKN MHUM MKM MPH MENG MSC MBA MA MEI MHI
    MTH MPSI MFARM MKEP MIKOM MHUK
    PHD LLM BA BSC AMD AMDKEB AMDKEP AMDKOM AMDFARM AMK AMKEB AMA AMAPD AK CPA LC
    SPA SPOG SPPD SPB SPM SPKK SPS SPTHT SPJP SPRAD SPAN SPKJ
    """
)
# Degrees that are also names (Chinese-Indonesian MA, SAN; BA): dropped only when dotted or
# after a comma, never as a bare word.
DEGREES_ALSO_NAMES = frozenset({"MA", "SAN", "BA"})

# Abbreviations of one name: every spelling and abbreviation of Muhammad is one word, and so is
# Abdul. Permendagri 73/2022 forbids new abbreviations (its explanatory examples are exactly
# "Muh" and "Abd"), older records keep them. Compared after the spelling is folded, so MOCH and
# MUCHAMMAD need no entries of their own beyond these. A lone "M." is an initial (any name in M,
# Muhammad included): see names.py.
MUHAMMAD = _words(
    """
    MUHAMMAD MUHAMAD MUHAMMED MUHAMED MOHAMMAD MOHAMAD MOHAMMED MOHAMED MOCHAMMAD MOCHAMAD
    MOCHAMED MUCHAMMAD MUCHAMAD MUKHAMMAD MUKHAMAD MOKHAMMAD MOKHAMAD MOEHAMMAD MOEHAMAD
    MUH MUHD MHD MOH MOHD MOCH MUCH MHMD
    """
)
ABDUL = _words("ABD ABDUL ABDOEL ABDUR ABDUS ABDUN ABDUZ ABDUD ABDUT ABDU")

# Words between a name and the father's name (bin, binti: "son/daughter of") or before a Batak
# woman's marga (br., boru). The word itself is dropped; what follows it may be absent from the
# other side (the father's name, the marga), never a given name of the person.
PATRONYMIC = _words("BIN BINTI BINT BT BTI BN")
MARGA_MARKER = _words("BR BORU")

# Family names (marga, fam, clan): Permendagri 73/2022 Art. 5 says a family name MAY be written
# on the document, so one side may have it and the other not. Only names that are family names
# and never given names are here (Javanese names like SANTOSO or WIJAYA are given names; so are
# Arabic HALIM and SALIM): a family name missing on one side is accepted only when the other
# side has nothing unmatched at all (names.py), so two different families never match.
FAMILY_NAMES = _words(
    # Batak (Toba, Karo, Mandailing, Simalungun, Pakpak)
    """
    SIREGAR NASUTION LUBIS HARAHAP SIMANJUNTAK HUTAPEA SITOMPUL SITUMORANG PARDEDE SINAGA
    PANJAITAN SIMATUPANG HUTAGALUNG SIAHAAN MANURUNG TAMPUBOLON SIHOMBING SIMAMORA
    SIANIPAR SIBUEA SILALAHI SIMANGUNSONG SIMORANGKIR SIREGAR SITORUS PASARIBU NAINGGOLAN
    NAPITUPULU MARPAUNG HUTABARAT HUTAURUK LUMBANTOBING LUMBANGAOL SIBARANI SIBORO SIDABUTAR
    SIGALINGGING SIHITE SIMBOLON SINABUTAR SIPAHUTAR SIRAIT SITANGGANG SITINJAK TAMBUNAN
    TOBING SARAGIH PURBA DAMANIK SIPAYUNG GIRSANG GINTING TARIGAN SEMBIRING SITEPU
    PERANGINANGIN SURBAKTI BARUS KABAN GURUSINGA MELIALA BRAHMANA
    DAULAY PULUNGAN BATUBARA RANGKUTI MATONDANG HASIBUAN RITONGA DALIMUNTHE TANJUNG
    SIMANULLANG GULTOM MUNTHE PANGARIBUAN PAKPAHAN SIANTURI HUTASOIT RAJAGUKGUK SAMOSIR
    SIMARMATA SITOHANG MANULLANG OPPUSUNGGU SIJABAT BUTARBUTAR
    """
    # Minangkabau suku
    """
    CHANIAGO CANIAGO PILIANG KOTO SIKUMBANG JAMBAK SIMABUR GUCI PANAI SUPAYANG MANDAILING
    """
    # Nias
    """
    HAREFA ZEBUA TELAUMBANUA LAIA GULO NDRURU WARUWU ZALUKHU HALAWA LASE BULOLO GEA MENDROFA
    """
    # Minahasa, Bolaang Mongondow, Sangihe
    """
    LUMENTUT MANOPPO PANGEMANAN RUNTUWENE SUMAMPOUW WALANDOUW KAWILARANG MANDAGI RONDONUWU
    SUMOLANG TAMBAJONG WAROUW WOWOR ROTINSULU PONTOH MOKODOMPIT TUMBELAKA PALAR LONTOH
    """
    # Maluku
    """
    PATTIASINA LATUHARHARY PATTIMURA SAHETAPY LEIMENA MATULESSY TUHUMURY SOPLANTILA
    LATUPEIRISSA PARERA TAHAPARY SIWALETTE PATTINAMA TITALEY PELUPESSY
    """
    # Arab-Indonesian clans
    """
    ALATAS ALAYDRUS ALAIDRUS ASSEGAF ASSAGAF ALHABSYI ALKAFF ALJUFRI BAHASUAN BASWEDAN SHIHAB
    SYIHAB BAFADAL BAMUZAHIM ALHADDAR ALMUNAWAR ASSAGGAF BINSYECH BAABUD BAJEBER BALFAS
    """
    # Chinese-Indonesian clan names (the old Dutch-based spelling folds with the rest)
    """
    TAN LIM LIEM GO GOUW OEI UY ONG KHO LIE SIE KWEE TJOA TIO LAUW THE TJIA TJHIN
    """
)

# Balinese name articles (I for a man, Ni for a woman) before the birth-order name: left out on
# forms as often as written. Dropped when they open the name (after any title).
NAME_ARTICLES = frozenset({"I", "NI"})
