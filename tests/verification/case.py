"""A small DKI Jakarta case for the engine, built on the factories: one election with its roll,
pairs A, B, ..., their uploads and supporters; and `verify`/`verdict` to run the engine on it.

The fixtures that set it up (`election`, `outside_region`, `case`) are in conftest.py.
"""

from __future__ import annotations

import datetime as dt

from candidates.models import Election, Pair, Supporter, SupportUpload
from candidates.signals import support_upload_done
from electorate.models import Voter
from keys.nik import nik_decode, nik_hash
from tests.factories import PairFactory, SupporterFactory, SupportUploadFactory, VoterFactory
from verification import derived
from verification.engine import run_create, verification_run
from verification.models import VerificationResult, VerificationRun
from verification.rules import Reason

VOTING_DAY = dt.date(2024, 11, 27)
KEL = "31.71.01.1001"  # Gambir, Gambir, Jakarta Pusat
KEL_UTARA = "31.72.01.1001"  # Penjaringan, Jakarta Utara
KEL_BARAT = "31.73.01.1001"  # a kelurahan of Jakarta Barat
KEL_OUTSIDE = "32.01.01.2001"  # a village of Kabupaten Bogor (not in DKI)


class Case:
    """Builds voters and supporters; each supporter defaults to what its NIK encodes and to a
    matching roll record, so a test changes only the field it is about."""

    def __init__(self, election: Election):
        self.election = election
        self.roll = election.roll
        self.pairs: dict[str, Pair] = {}
        self._rows: dict[int, int] = {}

    def pair(self, name: str = "A") -> Pair:
        if name not in self.pairs:
            self.pairs[name] = PairFactory(election=self.election, name=name)
        return self.pairs[name]

    def upload(self, pair: Pair | str = "A", round: int = 0) -> SupportUpload:
        pair = self.pair(pair) if isinstance(pair, str) else pair
        return SupportUploadFactory(pair=pair, round=round)

    def voter(self, nik: str, **fields) -> Voter:
        info = nik_decode(nik)
        values = {
            "name": "BUDI SANTOSO",
            "birth_date": info.birth_date,
            "sex": info.sex,
            "marital_status": "S",
            "kelurahan_code": KEL,
            **fields,
        }
        return VoterFactory(roll=self.roll, nik=nik, **values)

    def supporter(
        self, nik: str, *, upload: SupportUpload | None = None, in_roll: bool = True, **fields
    ) -> Supporter:
        """A supporter (and, unless in_roll=False, its roll record with the same data)."""
        upload = upload or self.default_upload()
        info = nik_decode(nik)
        values = {
            "name": "BUDI SANTOSO",
            "birth_date": info.birth_date or dt.date(1980, 1, 1),
            "sex": info.sex,
            "marital_status": "S",
            "kelurahan_id": KEL,
            "occupation": "Wiraswasta",
            "address": "Jl. Merdeka 1",
            "rt": "001",
            "rw": "002",
            **fields,
        }
        if in_roll and not Voter.objects.filter(roll=self.roll, nik_hash=nik_hash(nik)).exists():
            self.voter(
                nik,
                name=values["name"],
                birth_date=values["birth_date"],
                sex=values["sex"],
                marital_status=values["marital_status"],
                kelurahan_code=values["kelurahan_id"],
            )
        row = self._rows[upload.pk] = self._rows.get(upload.pk, 1) + 1
        return SupporterFactory(
            upload=upload, row_number=row, nik=nik, sheet_page=str(1 + row // 10), **values
        )

    def default_upload(self) -> SupportUpload:
        if not hasattr(self, "_default_upload"):
            self._default_upload = self.upload("A")
        return self._default_upload


def verify(pair: Pair, round: int | None = None) -> VerificationRun:
    """Record a run of the pair's round and work it to the end, in this process."""
    run = run_create(pair=pair, round=round)
    return verification_run(run_id=run.pk)


def verdict(supporter: Supporter) -> tuple[str, set[str]]:
    """The supporter's outcome and the names of its reasons."""
    result = VerificationResult.objects.get(pk=supporter.pk)
    return result.outcome, {r.name for r in Reason if result.reasons & r}


def snapshot(pair: Pair) -> list[tuple]:
    """Every result of the pair, in supporter order: two runs that agree give equal lists."""
    return list(
        VerificationResult.objects.filter(pair=pair)
        .order_by("supporter_id")
        .values_list(
            "supporter_id", "reasons", "outcome", "voter_id", "superseded", "kelurahan_code"
        )
    )


def upload_done_signal(upload: SupportUpload) -> None:
    """What the intake sends when a list has loaded (verification refreshes the duplicates)."""
    support_upload_done.send(sender=SupportUpload, upload=upload)


class Counting:
    """Counts the calls of the expensive part (the GROUP BYs over every supporter)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        real = derived.red_flags_lists

        def counted(**kwargs):
            self.calls += 1
            return real(**kwargs)

        monkeypatch.setattr(derived, "red_flags_lists", counted)
