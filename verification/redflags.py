"""Red flags the 2024 system never raised, for KPU and Bawaslu beside the recap. They change no
outcome: they point people at what to look at during factual verification.

- share: supports in a kelurahan or kab/kota above a share of its roll (Jakarta Pusat: 62%),
  each supporter placed and counted as the recap does (verification.placement);
- address: many supporters at one address (normalised address + RT/RW + kelurahan);
- serial: long runs of consecutive NIK serials among NIKs that share region and birth date, the
  trace of numbers generated rather than copied from ID cards.

Apps above this layer add flags of their own through `flag_provider_register` (objections:
the share of supporters whose NIK was confirmed misused), so the recap shows them with these.

The serial check reads the serial shifted by a keyed offset per group (`nik_serial`) and groups by
`nik_group`, the keyed hash of the first 12 digits, so no NIK is decrypted or rebuilt. Every
check is one GROUP BY / window query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from candidates.models import Pair, Supporter
from electorate.areas import KABKOTA, code_ancestor
from electorate.models import Region, Voter
from verification.models import VerificationResult
from verification.placement import COUNTED, PLACE

SUPPORTER = Supporter._meta.db_table
VOTER = Voter._meta.db_table
RESULT = VerificationResult._meta.db_table
# provider(pair=...) -> flags, each {"kind", "message", "supporters", "region"?, ...}.
FLAG_PROVIDERS: list[Callable[..., list[dict]]] = []


def flag_provider_register(provider: Callable[..., list[dict]]) -> None:
    """Add the flags of an app above this layer (from its AppConfig.ready)."""
    if provider not in FLAG_PROVIDERS:
        FLAG_PROVIDERS.append(provider)


def red_flag_settings() -> dict:
    """Thresholds of the flags: settings.VERIFICATION_RED_FLAGS (the reasons are given there)."""
    return settings.VERIFICATION_RED_FLAGS


def _fetch(sql: str, params: list | dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _share_flags(pair: Pair, conf: dict) -> list[dict]:
    """Uploaded supports (as in "Jakarta Pusat: 516,825 = 62% of its DPT") per area against the
    roll's voters there: one GROUP BY per table at kelurahan level, summed up to kab/kota."""
    roll_id = pair.election.roll_id
    if roll_id is None:
        return []
    # Placed and counted as the recap and the results list place and count them.
    supporters = _fetch(
        f"SELECT {PLACE}, COUNT(*) FROM {SUPPORTER} s LEFT JOIN {RESULT} r "
        f"ON r.supporter_id = s.id WHERE s.pair_id = %(pair)s AND {COUNTED} GROUP BY {PLACE}",
        {"pair": pair.pk, "no": False},
    )
    if not supporters:
        return []
    voters = _fetch(
        f"SELECT kelurahan_code, COUNT(*) FROM {VOTER} WHERE roll_id = %s GROUP BY kelurahan_code",
        [roll_id],
    )
    counts: dict[str, dict[str, list[int]]] = {"kabkota": {}, "kelurahan": {}}
    for index, rows in ((0, supporters), (1, voters)):
        for code, n in rows:
            for level, key in (("kabkota", code_ancestor(code, KABKOTA)), ("kelurahan", code)):
                counts[level].setdefault(key, [0, 0])[index] += n
    flags = []
    for level in ("kabkota", "kelurahan"):
        limit = conf[f"share_{level}"]
        for code, (n, roll) in sorted(counts[level].items()):
            if n < conf["share_min_supporters"] or not roll or n / roll <= limit:
                continue
            share = n / roll
            flags.append(
                {
                    "kind": "share",
                    "level": level,
                    "region": code,
                    "supporters": n,
                    "roll": roll,
                    "share": round(share, 4),
                    "limit": limit,
                    "message": _(
                        "%(n)s pendukung = %(pct)s%% dari DPT wilayah ini (batas %(lim)s%%)"
                    )
                    % {"n": n, "pct": round(100 * share, 1), "lim": round(100 * limit, 1)},
                }
            )
    return flags


def _address_sql() -> str:
    """Upper case, no spaces or punctuation, JALAN -> JL, GANG -> GG."""
    text = "UPPER(address)"
    for old, new in (
        (" ", ""),
        (".", ""),
        (",", ""),
        ("-", ""),
        ("/", ""),
        ("JALAN", "JL"),
        ("GANG", "GG"),
    ):
        text = f"REPLACE({text}, '{old}', '{new}')"
    return text


def _address_flags(pair: Pair, conf: dict) -> list[dict]:
    address = _address_sql()
    rows = _fetch(
        f"""
        SELECT kelurahan_id, a, rt, rw, COUNT(*) AS n, MIN(address) FROM (
            SELECT kelurahan_id, {address} AS a, LTRIM(rt, '0') AS rt, LTRIM(rw, '0') AS rw, address
            FROM {SUPPORTER} WHERE pair_id = %s AND address <> ''
        ) t
        GROUP BY kelurahan_id, a, rt, rw HAVING COUNT(*) >= %s
        ORDER BY n DESC, kelurahan_id LIMIT %s
        """,
        [pair.pk, conf["address_min"], conf["limit"]],
    )
    return [
        {
            "kind": "address",
            "region": kel,
            "address": example,
            "rt": rt,
            "rw": rw,
            "supporters": n,
            "limit": conf["address_min"],
            "message": _("%(n)s pendukung pada satu alamat: %(addr)s RT %(rt)s RW %(rw)s")
            % {"n": n, "addr": example, "rt": rt or "0", "rw": rw or "0"},
        }
        for kel, _a, rt, rw, n, example in rows
    ]


def _serial_flags(pair: Pair, conf: dict) -> list[dict]:
    """Gaps and islands: serial minus its rank within (region, birth date) is constant along a
    run of consecutive serials. The serial is read shifted (nik_serial: the same keyed offset
    for the whole group, see keys.nik.nik_serial_code), so runs are found without it."""
    rows = _fetch(
        f"""
        SELECT MIN(prefix), COUNT(*) AS n, MIN(first_row), MIN(upload)
        FROM (
            SELECT nik_group, prefix, serial, first_row, upload,
                   serial - DENSE_RANK() OVER (
                       PARTITION BY nik_group ORDER BY serial
                   ) AS island
            FROM (
                SELECT nik_group, substr(nik_masked, 1, 4) AS prefix, nik_serial AS serial,
                       row_number AS first_row, upload_id AS upload
                FROM {SUPPORTER} WHERE pair_id = %s
            ) s
        ) t
        GROUP BY nik_group, island
        HAVING COUNT(DISTINCT serial) >= %s
        ORDER BY n DESC, MIN(prefix) LIMIT %s
        """,
        [pair.pk, conf["serial_run_min"], conf["limit"]],
    )
    return [
        {
            "kind": "serial",
            "nik_prefix": prefix,
            "supporters": n,
            "first_row": first_row,
            "limit": conf["serial_run_min"],
            "message": _(
                "%(n)s NIK bernomor urut berturut-turut berawalan %(reg)s dengan kode wilayah dan "
                "tanggal lahir yang sama (mulai baris %(row)s berkas unggahan)"
            )
            % {"n": n, "reg": prefix, "row": first_row},
        }
        for prefix, n, first_row, _upload in rows
    ]


def red_flags_compute(*, pair: Pair) -> list[dict]:
    """All red flags of the pair's support lists (all rounds), worst first within each kind.
    Each: {"kind": "share"|"address"|"serial"|a provider's, "message": ..., "supporters": n}.
    Pages read them stored (verification.derived): computed once when a run ends."""
    return red_flags_lists(pair=pair) + red_flags_provided(pair=pair)


def red_flags_lists(*, pair: Pair) -> list[dict]:
    """The flags of the lists themselves: share, address, serial."""
    conf = red_flag_settings()
    return _named(_share_flags(pair, conf) + _address_flags(pair, conf) + _serial_flags(pair, conf))


def red_flags_provided(*, pair: Pair) -> list[dict]:
    """The flags of the apps above this layer (flag_provider_register)."""
    flags: list[dict] = []
    for provider in FLAG_PROVIDERS:
        flags += provider(pair=pair)
    return _named(flags)


def _named(flags: list[dict]) -> list[dict]:
    """Each flag tied to a place gets the place's name; messages become plain text (JSON)."""
    names = dict(
        Region.objects.filter(code__in={f["region"] for f in flags if "region" in f}).values_list(
            "code", "name"
        )
    )
    for flag in flags:
        if "region" in flag:
            flag["region_name"] = names.get(flag["region"], "")
        flag["message"] = str(flag["message"])
    return flags
