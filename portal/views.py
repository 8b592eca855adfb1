"""The home page: one dashboard, whose content depends on the role (the selectors decide)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from candidates import selectors
from electorate.access import (
    is_commission,
    may_see_names,
    may_see_recap,
    user_area,
    user_role,
)
from fieldwork.selectors import worklists_for


@login_required
def home(request):
    user = request.user
    elections = (
        selectors.elections_visible(user=user)
        .select_related("region")
        .annotate(pair_count=Count("pairs"))
        .order_by("-voting_day", "name")[:20]
    )
    pairs = selectors.pairs_visible(user=user).select_related("election").order_by("name")[:50]
    return render(
        request,
        "portal/home.html",
        {
            "team_pair": selectors.pair_for_team(user=user),
            "elections": elections,
            "pairs": pairs,
            "role": user_role(user),
            "area": user_area(user),
            "is_commission": is_commission(user),
            "may_recap": may_see_recap(user),
            "may_names": may_see_names(user),
            "worklists": worklists_for(user=user),
        },
    )
