"""A small DKI Jakarta case built directly with the ORM: a roll, pairs, uploads, supporters."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from candidates.models import Election, Pair, Supporter, SupportUpload
from electorate.models import Region, Voter, VoterRoll
from electorate.nik import nik_columns, nik_decode, nik_hash

VOTING_DAY = dt.date(2024, 11, 27)
KEL = "31.71.01.1001"  # Gambir, Gambir, Jakarta Pusat
KEL_UTARA = "31.72.01.1001"  # Penjaringan, Jakarta Utara
KEL_OUTSIDE = "32.01.01.2001"  # a village of Kabupaten Bogor (not in DKI)

_serial = itertools.count(1)


def make_nik(
    *, birth: dt.date = dt.date(1980, 5, 17), sex: str = "L", region: str = "317101", serial=None
) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    serial = next(_serial) if serial is None else serial
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


class Case:
    """Builds voters and supporters; each supporter defaults to what its NIK encodes and to a
    matching roll record, so a test changes only the field it is about."""

    def __init__(self, election: Election):
        self.election = election
        self.roll = election.roll
        self.pairs: dict[str, Pair] = {}
        self._uploads = itertools.count(1)
        self._rows: dict[int, int] = {}

    def pair(self, name: str = "A") -> Pair:
        if name not in self.pairs:
            self.pairs[name] = Pair.objects.create(election=self.election, name=name)
        return self.pairs[name]

    def upload(self, pair: Pair | str = "A", round: int = 0) -> SupportUpload:
        pair = self.pair(pair) if isinstance(pair, str) else pair
        n = next(self._uploads)
        return SupportUpload.objects.create(
            pair=pair,
            round=round,
            file=f"uploads/test-{n}.csv",
            original_name=f"test-{n}.csv",
            sha256=f"{n:064x}",
            status=SupportUpload.Status.DONE,
        )

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
        return Voter.objects.create(roll=self.roll, nik_hash=nik_hash(nik), **values)

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
        return Supporter.objects.create(
            upload=upload,
            pair=upload.pair,
            round=upload.round,
            row_number=row,
            **nik_columns(nik, birth_date=values["birth_date"], sex=values["sex"]),
            sheet_page=str(1 + row // 10),
            **values,
        )

    def default_upload(self) -> SupportUpload:
        if not hasattr(self, "_default_upload"):
            self._default_upload = self.upload("A")
        return self._default_upload


@pytest.fixture
def outside_region(jakarta):
    """One village outside DKI, for OUTSIDE_REGION."""
    codes = ["32", "32.01", "32.01.01", KEL_OUTSIDE]
    for level, code in enumerate(codes, start=1):
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Wilayah {code}",
                "level": level,
                "parent_id": codes[level - 2] if level > 1 else None,
            },
        )
    return Region.objects.get(code=KEL_OUTSIDE)


@pytest.fixture
def election(jakarta):
    roll = VoterRoll.objects.create(name="DPT DKI 2024", region=jakarta)
    return Election.objects.create(
        slug="pilgub-dki-2024",
        name="Pilgub DKI 2024",
        region=jakarta,
        level=Election.Level.GOVERNOR,
        dpt_count=8_252_897,
        voting_day=VOTING_DAY,
        roll=roll,
    )


@pytest.fixture
def case(election, outside_region):
    return Case(election)
