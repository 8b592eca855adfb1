"""A pair's tabs: every page about one pair, across the layers, that this user may open.

The pages of each layer link only to their own layer and below; this is the one place that
knows them all, so a page never links to something that would answer 403, and a new stage
(field work, decision) becomes visible everywhere by adding its tab here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from candidates import selectors as candidates
from candidates.models import Pair
from documents.selectors import may_see_minutes
from objections.selectors import may_see_objections
from staff.access import may_see_names, may_see_recap


@dataclass(frozen=True)
class Tab:
    url_name: str
    label: str | Promise
    allowed: Callable[[object, Pair], bool]


def _always(user, pair: Pair) -> bool:
    return True


TABS = (
    Tab("pair-detail", _("Ringkasan"), _always),
    Tab("upload-create", _("Unggah"), lambda u, p: candidates.may_upload(user=u, pair=p)),
    Tab("supporter-list", _("Pendukung"), lambda u, p: may_see_names(u)),
    Tab("verification-run", _("Verifikasi administrasi"), _always),
    Tab("verification-results", _("Hasil per pendukung"), lambda u, p: may_see_names(u)),
    Tab("verification-recap", _("Rekapitulasi"), lambda u, p: may_see_recap(u)),
    # Everyone who sees the pair sees its field work (figures of their own area; names only
    # on the worklists); the standing and the decision are read where the recap is.
    Tab("verfak-pair", _("Verifikasi faktual"), _always),
    Tab("objection-pair", _("Tanggapan masyarakat"), lambda u, p: may_see_objections(u)),
    Tab("decision-pair", _("Keputusan"), lambda u, p: may_see_recap(u)),
    # The minutes of every stage: KPU and Bawaslu (who sign or witness them).
    Tab("minutes-pair", _("Berita acara"), lambda u, p: may_see_minutes(u)),
)


def pair_tabs(*, user, pair: Pair, current: str | None) -> list[dict]:
    return [
        {
            "url": reverse(tab.url_name, args=[pair.pk]),
            "label": tab.label,
            "current": tab.url_name == current,
        }
        for tab in TABS
        if tab.allowed(user, pair)
    ]
