"""{% pair_tabs pair %}: the pair's tabs in the site chrome (base.html)."""

from __future__ import annotations

from django import template

from portal.navigation import pair_tabs as tabs_for

register = template.Library()


@register.inclusion_tag("portal/_pair_tabs.html", takes_context=True)
def pair_tabs(context, pair) -> dict:
    request = context.get("request")
    if request is None or not getattr(pair, "pk", None):
        return {"tabs": []}
    match = request.resolver_match
    return {
        "tabs": tabs_for(user=request.user, pair=pair, current=match.url_name if match else None),
        "pair": pair,
    }
