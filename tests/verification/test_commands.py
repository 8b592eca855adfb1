"""The command line of verification (verification/management/commands/): verify_admin."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.factories import make_nik

pytestmark = pytest.mark.django_db


def test_verify_admin_command_prints_counts(case, capsys):
    case.supporter(make_nik())
    case.supporter(make_nik(), in_roll=False)
    call_command("verify_admin", "--pair", str(case.pair("A").pk), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "done"
    assert (data["MS"], data["TMS"], data["total"]) == (1, 1, 2)
    assert data["reasons"]["NOT_IN_ROLL"] == 1
