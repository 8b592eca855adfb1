"""The reasons of every supporter of a chunk as one SQL expression (DOMAIN.md step 3).

`results_select` is the SELECT the chunk's INSERT reads: one row per supporter with its roll
record (if any), the kelurahan it counts in, and the sum of its reason bits. Every value comes
in as a named parameter: %(prefix)s, %(roll)s, ... (see `reason_params`).

OUTSIDE_REGION, as the officials argue it (UU 10/2016 Art. 41(3): supporters are voters of the
region): being on the election's DPT is what makes a supporter a voter of the region. A
supporter found on the roll is judged by the kelurahan the roll gives (the same kelurahan the
recap places them in), so a typed kelurahan of Bekasi or Tangerang cannot make a DKI voter
TMS; only a supporter not found on the roll is judged by the kelurahan typed. Judging by the
roll's kelurahan rather than "found on the roll at all" matters where one roll serves several
elections (a province's DPT used by the governor's election and a city's): a voter of another
city is on the roll but not in the city's region. The DPT import keeps out voters of no
election of the roll (electorate/roll_import.py), so for a single election both readings agree.

A typed kelurahan that differs from the roll's is not DATA_MISMATCH: that reason is name,
birth date and sex (DOMAIN.md step 3), what identifies the person. The address is not: the
supporter is counted, and met at factual verification, in the roll's kelurahan, and the
difference stays visible on the result (VerificationResult.moved).
"""

from __future__ import annotations

from keys.nik import INVALID_CHECKS, MARRIED, MISMATCH_CHECKS
from verification.engine.backends import CHUNK_SCOPE, FLAG, SUPPORTER, Backend
from verification.models import RegistryAnswer, VerificationRun
from verification.rules import Reason

REGISTRY = RegistryAnswer._meta.db_table


def reason_params(run: VerificationRun, prepared: dict, *, lo: int, hi: int) -> dict:
    prefix = run.pair.election.region_id + "."
    params = {
        "run": run.pk,
        "pair": run.pair_id,
        "round": run.round,
        "roll": run.roll_id,
        "lo": lo,
        "hi": hi,
        "prefix": prefix,
        "prefix_len": len(prefix),
        "dp4": run.dp4_roll_id,
        "election": run.pair.election_id,
    }
    for i, text in enumerate(prepared["restricted_occupations"]):
        params[f"occupation_{i}"] = text
    return params


def _occupation_sql(prepared: dict) -> str:
    names = [f"%(occupation_{i})s" for i in range(len(prepared["restricted_occupations"]))]
    return f"s.occupation IN ({', '.join(names)})" if names else "1 = 0"


class Registry:
    """The civil registry's answers in the results SELECT (Election.registry_confirmation):
    `g`, the answer for a supporter not on the roll, joined on the NIK hash. Found alive, the
    supporter is no longer NOT_IN_ROLL and the registry's domicile and birth date stand in for
    a roll record's (placement, OUTSIDE_REGION, UNDERAGE, DATA_MISMATCH on the birth date);
    not found: REGISTRY_NOT_FOUND, found deceased: REGISTRY_DECEASED (both TMS), NOT_IN_ROLL
    kept. Without answers to apply every piece is what the roll alone gives."""

    def __init__(self, on: bool):
        self.on = on
        live = "CASE WHEN g.found AND g.alive THEN g.kelurahan_code END"
        self.join = (
            f"LEFT JOIN {REGISTRY} g ON g.election_id = %(election)s "
            "AND g.nik_hash = s.nik_hash AND v.id IS NULL"
            if on
            else ""
        )
        self.place = f"{live}, " if on else ""  # inside COALESCE(v.kelurahan_code, ...)
        self.minor = "g.minor, " if on else ""  # inside COALESCE(v.minor, ...)
        self.found = "WHEN g.found AND g.alive THEN 0 " if on else ""
        self.mismatch = (
            "OR (g.birth_hash IS NOT NULL AND g.birth_hash <> s.birth_hash)" if on else ""
        )
        self.bits = (
            f"+ (CASE WHEN g.found AND NOT g.alive THEN {int(Reason.REGISTRY_DECEASED)} ELSE 0 "
            f"END) + (CASE WHEN NOT g.found THEN {int(Reason.REGISTRY_NOT_FOUND)} ELSE 0 END)"
            if on
            else ""
        )


def results_select(
    db: Backend, run_id: int, prepared: dict, *, dp4: bool = False, registry: bool = False
) -> str:
    """`dp4`: the run reads the election's DP4 as a second roll (db.voter_join); `registry`:
    it applies the civil registry's answers (Registry)."""
    R = Reason
    married = ", ".join(f"'{m}'" for m in MARRIED)
    mismatch = int(R.DATA_MISMATCH)
    g = Registry(registry)
    return f"""
        SELECT s.id, s.pair_id, s.round, v.id AS voter_id,
            -- Where the supporter counts for the spread: the roll's kelurahan when the NIK is
            -- on the roll (a typed code cannot move a voter to another kab/kota), else the form's.
            COALESCE(v.kelurahan_code, {g.place}s.kelurahan_id) AS kelurahan_id,
            (COALESCE(v.kelurahan_code, {g.place}NULL) IS NOT NULL
             AND COALESCE(v.kelurahan_code, {g.place}NULL) <> s.kelurahan_id) AS moved,
            (CASE WHEN (s.nik_checks & {int(INVALID_CHECKS)}) <> 0
                  THEN {int(R.NIK_INVALID)} ELSE 0 END)
            + (CASE WHEN v.id IS NOT NULL THEN 0 {g.found}ELSE {int(R.NOT_IN_ROLL)} END)
            -- In the region where it counts (Art. 41(3)): a voter on the roll is judged by
            -- the roll's kelurahan, never by the typed one; only the others by what was typed.
            + (CASE WHEN substr(COALESCE(v.kelurahan_code, {g.place}s.kelurahan_id), 1,
                                %(prefix_len)s) = %(prefix)s THEN 0
                    ELSE {int(R.OUTSIDE_REGION)} END)
            -- Under 17 on voting day by the first birth date known (roll, registry, form),
            -- each row's flag set when it was stored (keys.nik: no clear birth date;
            -- a married row's flag is false, and the marital checks below say the same).
            + (CASE WHEN COALESCE(v.minor, {g.minor}s.minor)
                     AND s.marital_status NOT IN ({married})
                     AND COALESCE(v.marital_status, '') NOT IN ({married})
                    THEN {int(R.UNDERAGE)} ELSE 0 END)
            -- Flag bits but the name mismatch, which joins the other data checks below.
            + (COALESCE(d.bits, 0) - (COALESCE(d.bits, 0) & {mismatch}))
            + (CASE WHEN (COALESCE(d.bits, 0) & {mismatch}) <> 0 OR {db.name_differs}
                      OR (v.birth_hash IS NOT NULL AND v.birth_hash <> s.birth_hash)
                      OR (v.sex IS NOT NULL AND v.sex <> '' AND v.sex <> s.sex)
                      OR (s.nik_checks & {int(MISMATCH_CHECKS)}) <> 0
                      {g.mismatch}
                    THEN {mismatch} ELSE 0 END)
            + (CASE WHEN {_occupation_sql(prepared)}
                    THEN {int(R.RESTRICTED_OCCUPATION)} ELSE 0 END)
            {g.bits}
            AS reasons
        FROM {SUPPORTER} s
        {db.voter_join(run_id, dp4=dp4)}
        {g.join}
        LEFT JOIN (
            SELECT supporter_id, SUM(bits) AS bits FROM {FLAG}
            WHERE run_id = %(run)s AND supporter_id BETWEEN %(lo)s AND %(hi)s
            GROUP BY supporter_id
        ) d ON d.supporter_id = s.id
        WHERE {CHUNK_SCOPE}
        -- In id order: the results' primary key is then filled at its right edge, instead of
        -- a random leaf page per row (at DKI scale 1 s of a 4 s chunk); and the ORDER BY keeps
        -- this SELECT apart, so that the outcome reads `reasons` without computing it again.
        ORDER BY s.id
    """


def run_sources(run: VerificationRun) -> dict:
    """What the run reads besides the DPT: the DP4 as a second roll, the registry's answers."""
    return {"dp4": run.dp4_roll_id is not None, "registry": run.registry}
