"""The rules of administrative verification (docs/domain.md step 3) as data: reason codes, outcomes.

Reasons are bits of one integer so that a supporter's reasons are a single column that set-based
SQL can OR into (`reasons = reasons | 4`) and the recap can count with `reasons & 4 <> 0`.
"""

from __future__ import annotations

from enum import IntFlag

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# RESTRICTED_OCCUPATION's posts are a table (verification/data/occupations.py) read by
# verification/occupations.py; the engine imports occupation_is_restricted from here as before.
from verification.occupations import occupation_is_restricted as occupation_is_restricted

# The age rule is written once, where the rows are written (keys.nik): the birth date
# is kept only as a keyed hash, and whether a person is under 17 is decided when stored.
from keys.nik import ELIGIBLE_AGE as ELIGIBLE_AGE  # isort: skip
from keys.nik import eligible_birth_cutoff as eligible_birth_cutoff  # isort: skip


class Reason(IntFlag):
    NIK_INVALID = 1
    NOT_IN_ROLL = 2
    OUTSIDE_REGION = 4
    UNDERAGE = 8
    DUPLICATE_INTERNAL = 16
    DUPLICATE_EXTERNAL = 32
    DATA_MISMATCH = 64
    RESTRICTED_OCCUPATION = 128
    # Not a check of the list: a citizen's (or Bawaslu's) objection that the KPU confirmed as
    # misuse of the NIK (docs/domain.md step 7), set by result_reason_add and kept across reruns.
    PUBLIC_OBJECTION = 256
    # The civil registry's answer for a NIK not on the roll (Election.registry_confirmation;
    # verification/registry.py): not found at Dukcapil, or found deceased. A NIK found alive
    # loses NOT_IN_ROLL instead, its domicile and birth date checked like a roll record's.
    REGISTRY_NOT_FOUND = 512
    REGISTRY_DECEASED = 1024


class Outcome(models.TextChoices):
    MS = "MS", _("Memenuhi syarat")
    BMS = "BMS", _("Belum memenuhi syarat")
    TMS = "TMS", _("Tidak memenuhi syarat")


REASON_LABELS = {
    Reason.NIK_INVALID: _("NIK tidak valid"),
    Reason.NOT_IN_ROLL: _("Tidak terdaftar di DPT"),
    Reason.OUTSIDE_REGION: _("Di luar wilayah pemilihan"),
    Reason.UNDERAGE: _("Belum berusia 17 tahun dan belum pernah kawin"),
    Reason.DUPLICATE_INTERNAL: _("Ganda internal (NIK sama pada pasangan ini)"),
    Reason.DUPLICATE_EXTERNAL: _("Ganda eksternal (NIK sama pada pasangan lain)"),
    Reason.DATA_MISMATCH: _("Data tidak sesuai (nama, tanggal lahir, atau jenis kelamin)"),
    Reason.RESTRICTED_OCCUPATION: _(
        "Pekerjaan terlarang (TNI/Polri/ASN/penyelenggara/perangkat desa)"
    ),
    Reason.PUBLIC_OBJECTION: _("Tanggapan masyarakat terbukti: NIK dicatut tanpa persetujuan"),
    Reason.REGISTRY_NOT_FOUND: _("Tidak ditemukan dalam data kependudukan (Dukcapil)"),
    Reason.REGISTRY_DECEASED: _("Meninggal dunia menurut data kependudukan (Dukcapil)"),
}

# PKPU 8/2024 defaults (docs/domain.md step 3). The legacy 2015 rule set differs only in the repair
# multiplier, so it shares these outcomes.
DEFAULT_OUTCOMES: dict[Reason, str] = {
    Reason.NIK_INVALID: Outcome.TMS,
    Reason.NOT_IN_ROLL: Outcome.TMS,
    Reason.OUTSIDE_REGION: Outcome.TMS,
    Reason.UNDERAGE: Outcome.TMS,
    Reason.DUPLICATE_INTERNAL: Outcome.TMS,
    Reason.DUPLICATE_EXTERNAL: Outcome.BMS,
    Reason.DATA_MISMATCH: Outcome.BMS,
    Reason.RESTRICTED_OCCUPATION: Outcome.BMS,
    Reason.PUBLIC_OBJECTION: Outcome.TMS,
    Reason.REGISTRY_NOT_FOUND: Outcome.TMS,
    Reason.REGISTRY_DECEASED: Outcome.TMS,
}
RULE_SET_OUTCOMES: dict[str, dict[Reason, str]] = {
    "2024": DEFAULT_OUTCOMES,
    "2015": DEFAULT_OUTCOMES,
}


def reason_outcomes(election) -> dict[str, str]:
    """Outcome per reason name: the rule set's defaults overridden by Election.reason_outcomes.
    With civil-registry confirmation (Election.registry_confirmation) NOT_IN_ROLL is BMS: the
    registry's answer settles it at the next run (REGISTRY_NOT_FOUND, REGISTRY_DECEASED)."""
    base = RULE_SET_OUTCOMES.get(election.rule_set, DEFAULT_OUTCOMES)
    overrides = election.reason_outcomes or {}
    if getattr(election, "registry_confirmation", False):
        if str(overrides.get("NOT_IN_ROLL", Outcome.BMS)).upper() != Outcome.BMS:
            raise ValidationError(
                _(
                    "Konfirmasi Dukcapil membuat NIK yang tidak ada di DPT berstatus BMS sampai "
                    "ada jawaban; hapus pengaturan NOT_IN_ROLL = %(value)s, atau matikan "
                    "konfirmasi Dukcapil."
                )
                % {"value": overrides["NOT_IN_ROLL"]}
            )
        overrides = {**overrides, "NOT_IN_ROLL": Outcome.BMS}
    unknown = sorted(set(overrides) - set(Reason.__members__))
    if unknown:  # a typo must not silently leave the 2024 default in force
        raise ValidationError(
            _("Kode alasan tidak dikenal pada pengaturan pemilihan: %(codes)s.")
            % {"codes": ", ".join(unknown)}
        )
    result = {}
    for reason in Reason:
        value = str(overrides.get(reason.name, base[reason])).upper()
        if value not in Outcome.values:
            raise ValidationError(
                _("Hasil %(value)s untuk %(reason)s tidak dikenal: gunakan MS, BMS atau TMS.")
                % {"value": value, "reason": reason.name}
            )
        result[reason.name] = value
    return result


def run_outcomes(applied: dict[str, str], election) -> dict[str, str]:
    """The outcomes a run applied, completed with the election's for reasons added since the
    run (a run recorded before PUBLIC_OBJECTION existed does not name it)."""
    return {**reason_outcomes(election), **applied}


def reason_counts_sql(column: str = "reasons") -> str:
    """One SUM per reason code, in Reason order: how the run counts and the recap count them."""
    return ", ".join(f"SUM(CASE WHEN ({column} & {int(r)}) <> 0 THEN 1 ELSE 0 END)" for r in Reason)


def outcome_masks(outcomes: dict[str, str]) -> tuple[int, int]:
    """(TMS mask, BMS mask): a supporter is TMS if any TMS bit is set, else BMS if any BMS bit."""
    tms = sum(Reason[name] for name, o in outcomes.items() if o == Outcome.TMS)
    bms = sum(Reason[name] for name, o in outcomes.items() if o == Outcome.BMS)
    return int(tms), int(bms)


def outcome_for(reasons: int, masks: tuple[int, int]) -> str:
    """Worst outcome wins: TMS over BMS over MS."""
    tms, bms = masks
    if reasons & tms:
        return Outcome.TMS
    if reasons & bms:
        return Outcome.BMS
    return Outcome.MS


def outcome_sql(column: str, masks: tuple[int, int]) -> str:
    """outcome_for as a SQL expression (the masks are ints computed here: safe inline)."""
    tms, bms = (int(m) for m in masks)
    return (
        f"CASE WHEN ({column} & {tms}) <> 0 THEN 'TMS' "
        f"WHEN ({column} & {bms}) <> 0 THEN 'BMS' ELSE 'MS' END"
    )


def reason_names(mask: int) -> list[str]:
    return [r.name for r in Reason if mask & r]


def reason_labels(mask: int) -> list[str]:
    return [str(REASON_LABELS[r]) for r in Reason if mask & r]
