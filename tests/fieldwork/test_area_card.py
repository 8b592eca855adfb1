"""Issue 21 item 5: a kelurahan's card on the factual verification page shows one count of what
is not done, named ("Belum selesai", the column MS + TMS + it = Jumlah), not a second "N belum"
beside it that counts something else."""

from __future__ import annotations

import re

from django.urls import reverse

from fieldwork.models import Result, Task
from tests.fieldwork.world import KELURAHAN


def test_a_kelurahan_card_shows_one_named_count_of_what_is_not_done(login, verfak):
    stage = verfak.objects["a"]["stage"]
    client = login("ppk_a")
    page = client.get(reverse("verfak-pair", args=[stage.pair_id])).content.decode()
    worklist = reverse("verfak-worklist", args=[stage.pk, KELURAHAN["a"]])
    row = page[page.index(f'href="{worklist}"') :]
    row = row[: row.index("</tr>")]
    pending = Task.objects.filter(
        stage=stage, kelurahan_code=KELURAHAN["a"], result=Result.PENDING
    ).count()
    assert pending
    assert re.search(r"\d+\s+belum\b(?! selesai| diverifikasi)", row) is None, row
    assert f'data-label="Belum selesai">{pending}</td>' in row
