"""The reads the pages and the API share (verification/selectors.py): a pair's results, its
latest run, and which red flags a user's area shows."""

from __future__ import annotations

from verification.engine import run_create
from verification.selectors import flags_in_area, latest_run, supporter_results


def test_supporter_results_carry_outcome_reasons_and_masked_nik_only(verified_two):
    pair, nik = verified_two
    rows = list(supporter_results(pair=pair))
    assert [r.outcome for r in rows] == ["MS", "TMS"]
    assert rows[1].reasons == 2 | 128
    assert rows[0].nik_masked == nik[:4] + "*" * 12
    deferred = rows[0].get_deferred_fields()
    assert {"nik_hash", "nik_cipher"} <= deferred


def test_latest_run_is_the_newest(verified_two):
    pair, _nik = verified_two
    second = run_create(pair=pair)
    assert latest_run(pair=pair) == second
    assert latest_run(pair=pair, round=2) is None


def test_flags_tied_to_no_place_are_only_for_those_covering_the_whole_election():
    flags = [
        {"kind": "share", "region": "31.71"},
        {"kind": "share", "region": "31.75.01.1001"},
        {"kind": "serial", "nik_prefix": "3171"},
    ]
    province = flags_in_area(flags, "31", election_region="31")
    assert [f["kind"] for f in province] == ["share", "share", "serial"]
    jakpus = flags_in_area(flags, "31.71", election_region="31")
    assert jakpus == [{"kind": "share", "region": "31.71"}]
