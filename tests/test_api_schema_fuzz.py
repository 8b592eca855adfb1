"""The API against its own OpenAPI schema (/api/schema/, drf-spectacular): schemathesis builds
requests for every operation from the schema (ids, pages, bodies, files, the awkward values
included) and sends them to the Django app in this process, as each kind of user; none may get
a server error (5xx).

Path ids are drawn half from the schema (mostly objects that do not exist: 404) and half from
the `world`'s real objects of both sides, so the views' own code runs, not only the lookups.
Requests run inside the test's transaction, each in a savepoint rolled back after it (the WSGI
handler is kept from closing the transaction, as Django's test client does).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fieldwork.world import fieldwork_objects_add

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

pytestmark = pytest.mark.django_db

ROLES = ["anon", "tim_a", "kpu_a", "bawaslu_a", "pps_a"]
EXAMPLES = 30  # per operation and role: the module stays well under a minute
STATS: Counter = Counter()


@pytest.fixture
def in_test_transaction():
    """A request through the WSGI handler closes a connection that is in a transaction (it
    looks stale); here that transaction is the test's. Django's test client unhooks the same."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _schema():
    """The schema as /api/schema/ serves it to a signed-in user (it is not public), built by
    drf-spectacular's generator; the calls go to the WSGI application."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from config.wsgi import application

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = application
    loaded.location = "/api/schema/"
    return loaded


def _real_ids(world) -> dict[str, list[int]]:
    """Ids of real objects, both sides and the governor pair, by the path's first segment."""
    fieldwork_objects_add(world)
    sides = [world.objects[s] for s in ("a", "b")]
    return {
        "elections": [o["election"].pk for o in sides] + [world.governor_pair.election_id],
        "pairs": [o["pair"].pk for o in sides] + [world.governor_pair.pk],
        "uploads": [o["upload"].pk for o in sides],
        "verfak": [t.pk for o in sides for t in o["tasks"]],
    }


def _with_real_id(strategy, ids: list[int]):
    return st.tuples(strategy, st.sampled_from(ids)).map(lambda pair: _id_set(*pair))


def _id_set(case, pk: int):
    case.path_parameters = {**(case.path_parameters or {}), "id": pk}
    return case


def _credentials_dropped(case):
    """The schema's security schemes make schemathesis send a random Basic header and session
    cookie; a logged-in role sends its own session instead."""
    if case.headers:
        case.headers.pop("Authorization", None)
    if case.cookies:
        case.cookies.pop("sessionid", None)
    return case


@pytest.fixture
def limits_apart(settings):
    """The citizens' check counts requests per client in the cache: a cache of this test's own,
    emptied before each request, so that the fuzz reaches the view rather than the 429.
    (And a fast password hasher: every made-up Basic credential is hashed once.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fuzz"}
    }
    from django.core.cache import cache

    return cache.clear


@pytest.mark.parametrize("role", ROLES)
def test_no_generated_request_gets_a_server_error(
    client, world, role, in_test_transaction, limits_apart
):
    """Anonymous requests keep the random credentials schemathesis makes up (an attacker's);
    the others send the role's session (and a CSRF token, so that POSTs reach the views)."""
    ids = _real_ids(world)
    cookies = {"csrftoken": _get_new_csrf_string()}
    headers = {"X-CSRFToken": cookies["csrftoken"]}
    if role != "anon":
        client.force_login(world.users[role])
        cookies["sessionid"] = client.cookies["sessionid"].value
    failures: list[str] = []
    operations = 0
    for result in _schema().get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = operation.as_strategy()
        if role != "anon":
            strategy = strategy.map(_credentials_dropped)
        if "{id}" in operation.path:
            real = ids[operation.path.split("/")[2]]
            strategy = st.one_of(strategy, _with_real_id(strategy, real))

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case) -> None:
            STATS["cases"] += 1
            # Each request in a savepoint rolled back after it: examples do not pile up, and a
            # database error in one request does not abort the test's transaction for the next.
            limits_apart()
            savepoint = transaction.savepoint()
            try:
                response = case.call(headers=headers, cookies=cookies)
            finally:
                transaction.savepoint_rollback(savepoint)
            STATS[f"status {response.status_code}"] += 1
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # one operation's failure must not hide another's
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    STATS["operations"] += operations
    print(f"\n{role}: {operations} operations; so far {dict(STATS)}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("credentials", ["kpu_a\x00:rahasia", "kpu_a:rahasia\x00"])
def test_basic_credentials_holding_nul_are_refused_not_a_server_error(client, world, credentials):
    """The server error the fuzz found: PostgreSQL refused a username with NUL in the user
    lookup behind HTTP Basic. Basic is off now: the API refuses the header outright, and the
    sign-in page refuses NUL as a field error before any lookup."""
    import base64

    token = base64.b64encode(credentials.encode()).decode()
    response = client.get("/api/elections/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    username, _sep, password = credentials.partition(":")
    page = client.post("/masuk/", {"username": username, "password": password})
    assert page.status_code == 200 and "_auth_user_id" not in client.session
