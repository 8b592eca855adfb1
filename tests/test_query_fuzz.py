"""Every query parameter of every page is validated: no value of any of them makes a page
answer 500 (issue 19 item 7: `/tanggapan-masyarakat/?paslon=abc` and
`?paslon=99999999999999999999` did).

The pages are every named URL of the resolver (the Django admin aside), with the ids of the
access matrix's world (tests/test_access_matrix.py) where they take one; the parameters are
every name the views and API views read from the query string (found in their source), every
field of the forms they fill from it and of the API's filters (candidates.filters, django-filter)
and query serializers. Each page gets each hostile value in every parameter at once, then random
ones (hypothesis), as a superuser (who reaches every page and every branch) and anonymously.

A page ignores a value it cannot read (no filter); the API refuses it: a 400 in the API's error
shape naming the parameters refused ({"detail": ..., "errors": {"round": [...]}}), never a 500
and never a page of HTML. (A NUL anywhere is refused before any view, config.middleware.)
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.filters import PairFilter, SupporterFilter
from candidates.forms import SupporterFilterForm
from documents.forms import LookupForm
from fieldwork.forms import WorklistFilterForm
from tests.fieldwork.world import fieldwork_users_add
from tests.test_access_matrix import EXPECT, POST_ONLY, _url
from verification.api import RoundQuery

ROOT = Path(__file__).resolve().parents[1]
APPS = ("candidates", "verification", "fieldwork", "objections", "decisions", "documents",
        "portal", "electorate", "config")  # fmt: skip
READ = re.compile(r"""(?:GET|query_params)\.get\(\s*["']([\w-]+)["']""")
GET_FORMS = (SupporterFilterForm, WorklistFilterForm, LookupForm)
API_QUERIES = (PairFilter.base_filters, SupporterFilter.base_filters, RoundQuery().fields)


def query_names() -> list[str]:
    names = {"page", "next"}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            names |= set(READ.findall(path.read_text()))
    for form in GET_FORMS:
        names |= set(form.base_fields)
    for declared in API_QUERIES:
        names |= set(declared)
    return sorted(names)


HOSTILE = [
    "abc",
    "99999999999999999999",
    "-1",
    "0",
    "1.5",
    "",
    " ",
    "1e309",
    "NaN",
    "\x00",
    "%00",
    "' OR 1=1 --",
    "<script>x</script>",
    "31.71\u202e",
    "٣",  # an Arabic-Indic digit: isdigit() says yes, int() too
    "𝟗",  # a mathematical digit: isdigit() yes
    "9" * 400,
    "x" * 5000,
    "[]",
    "//evil.example",
]


def page_names() -> list[str]:
    def walk(patterns) -> list[str]:
        names = []
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    names += walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                names.append(p.name)
        return names

    return sorted(set(walk(get_resolver().url_patterns)))


def page_url(world, name: str) -> str:
    return _url(world, name, "a") if name in EXPECT or name in POST_ONLY else reverse(name)


@pytest.fixture
def world(world):
    """The shared world, with the PKD and the PPK of side A (as the access matrix has it)."""
    return fieldwork_users_add(world)


@pytest.fixture
def pages(world):
    return [(name, page_url(world, name)) for name in page_names()]


def _get(client, url: str, params: dict[str, str]) -> int:
    """The status, once the answer is what it should be for it: a 500 is returned as it is
    (the callers count it); an API's 400 that is not its JSON error naming parameters sent is
    a 599."""
    response = client.get(f"{url}?{urlencode(params)}")
    status = response.status_code
    if status != 400 or not url.startswith("/api/") or any("\x00" in v for v in params.values()):
        return status
    if not response["Content-Type"].startswith("application/json"):
        return 599
    errors = response.json().get("errors")
    return 400 if isinstance(errors, dict) and errors and set(errors) <= set(params) else 599


@pytest.mark.django_db
def test_no_hostile_value_of_any_parameter_makes_a_page_fail(client, world, pages, settings):
    settings.CHECK_RESPONSE_FLOOR_MS = 0
    client.raise_request_exception = False  # a 500 is counted, every page is still tried
    names = query_names()
    assert {"paslon", "round", "page", "status", "q"} <= set(names)
    failures = []
    for who in ("su", None):
        client.logout()
        if who:
            client.force_login(world.users[who])
        for name, url in pages:
            for value in HOSTILE:
                params = dict.fromkeys(names, value)
                if _get(client, url, params) >= 500:
                    failures.append((who, name, value))
                one = {"paslon": value} if name == "objection-list" else {}
                if one and _get(client, url, one) >= 500:
                    failures.append((who, name, f"paslon={value}"))
    found = sorted({f"{who}|{name}|{value[:24]!r}" for who, name, value in failures})
    assert not failures, "\n".join(found)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_query_strings_never_make_a_page_fail(client, world, pages, data):
    client.force_login(world.users["su"])
    client.raise_request_exception = False
    name, url = data.draw(st.sampled_from(pages))
    params = data.draw(
        st.dictionaries(
            st.sampled_from(query_names()),
            st.one_of(
                st.text(max_size=30),
                st.integers(min_value=-(2**70), max_value=2**70).map(str),
                st.sampled_from(HOSTILE),
            ),
            max_size=6,
        )
    )
    assert _get(client, url, params) < 500, (name, params)
