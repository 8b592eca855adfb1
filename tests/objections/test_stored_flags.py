"""The misuse red flag once stored (verification/derived.py): deciding an objection refreshes
the flags of the apps above, and the recap shows it without computing the lists' own again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.objections.people import citizen_objects, confirmed
from tests.verification.case import Counting
from verification.derived import latest_done_run, red_flags_stored, run_derive

pytestmark = pytest.mark.django_db


def test_a_decided_objection_refreshes_the_misuse_flag_alone(client, field, settings, monkeypatch):
    settings.OBJECTION_MISUSE_MIN = 1
    settings.OBJECTION_MISUSE_SHARE = 0.1
    run_derive(run=latest_done_run(pair=field.pair))
    assert not [f for f in red_flags_stored(pair=field.pair) if f["kind"] == "misuse"]
    counting = Counting(monkeypatch)

    confirmed(citizen_objects(), field.users["kpu"])

    misuse = [f for f in red_flags_stored(pair=field.pair) if f["kind"] == "misuse"]
    assert misuse and misuse[0]["supporters"] == 1
    assert counting.calls == 0  # the lists' own flags were not computed again
    client.force_login(field.users["bawaslu"])
    page = client.get(reverse("verification-recap", args=[field.pair.pk])).content.decode()
    assert "1 pendukung terbukti dicatut" in page
