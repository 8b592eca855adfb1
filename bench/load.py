"""Field officers posting at once: the locustfile of `make bench-load` (bench/load_run.py runs it).

200 PPS officers, each signed in as the PPS of one kelurahan, record factual-verification
findings through the phone form's JSON endpoint (POST /api/verfak/tasks/<id>/records/, as
static/js/verfak.js does) and now and then open their worklist; 20 KPU and Bawaslu users read
the pair's recap and its factual-verification page. Every user signs in through /masuk/ like a
browser: the form's CSRF token, then the session and the rotated CSRF cookie for the API's
X-CSRFToken header; one password attempt each, so django-axes' lockout is never approached.

Not Django: this file runs inside locust (gevent), in its own process. What it needs comes in a
JSON file named by LOAD_USERS (written by load_run.py): accounts, kelurahan, task ids, the
stage, the pair, the date to record. LOAD_SETTLE: seconds after the last user has spawned
before the statistics are reset, so that the figures are the steady state with every user
signed in (sign-in is a deliberately slow password hash); LOAD_DURATION: seconds measured,
after which locust stops; LOAD_MARK: a file written when the window opens, so the runner
knows. LOAD_PPS_WAIT / LOAD_READER_WAIT:
"min,max" seconds between one user's requests.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

DATA = json.loads(Path(os.environ["LOAD_USERS"]).read_text())
SETTLE = float(os.environ.get("LOAD_SETTLE", "10"))
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
MARK = os.environ.get("LOAD_MARK", "")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FINDINGS = ("SESUAI", "SESUAI", "SESUAI", "TIDAK_DITEMUI", "TOLAK", "TOLAK_TTD", "PINDAH")
METHODS = ("KUNJUNGAN", "KUMPUL", "VIDEO_CALL", "VIDEO")
ENTRY = "POST /api/verfak/tasks/[id]/records/"
_pps = itertools.cycle(DATA["pps"])
_readers = itertools.cycle(DATA["readers"])


def _wait(name: str, default: str):
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


_environment: dict = {}


@events.init.add_listener
def _keep_environment(environment, **_kw) -> None:
    _environment["env"] = environment


_signed_in: list[str] = []
_refused: list[str] = []


@events.spawning_complete.add_listener
def _measure_from_now(user_count: int, **_kw) -> None:
    """Every user spawned: wait until all have signed in, and SETTLE seconds more, then count
    from zero for DURATION seconds and stop (the runner's -t is only an upper bound)."""

    def window() -> None:
        while len(_signed_in) < user_count:
            gevent.sleep(0.5)
        gevent.sleep(SETTLE)
        runner = _environment["env"].runner
        # The sign-ins are left out of the figures, not out of the errors: the mark says.
        ramp = {"signed_in": len(_signed_in), "refused": len(_refused),
                "errors": runner.stats.total.num_failures, "at": time.time(),
                "what": [f"{e.occurrences}x {e.method} {e.name}: {e.error}"[:240]
                         for e in runner.stats.errors.values()]}  # fmt: skip
        runner.stats.reset_all()
        if MARK:
            Path(MARK).write_text(json.dumps(ramp))
        gevent.sleep(DURATION)
        runner.quit()

    gevent.spawn(window)


class SignedIn(HttpUser):
    abstract = True
    account: dict

    def sign_in(self) -> None:
        """The sign-in page as a browser uses it: GET for the CSRF token, POST the form."""
        page = self.client.get("/masuk/", name="GET /masuk/")
        found = CSRF_FIELD.search(page.text)
        with self.client.post(
            "/masuk/",
            data={
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": found.group(1) if found else "",
            },
            headers={"Referer": f"{self.host}/masuk/"},
            allow_redirects=False,
            name="POST /masuk/",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/masuk/" in response.headers.get("Location", ""):
                response.failure(f"sign-in refused for {self.account['username']}")
                _refused.append(self.account["username"])
        _signed_in.append(self.account["username"])  # counted either way: the window opens

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.error or ''}")


class PPSOfficer(SignedIn):
    """A PPS officer recording what was found at each supporter's door."""

    fixed_count = int(os.environ.get("LOAD_PPS_USERS", len(DATA["pps"])))
    wait_time = _wait("LOAD_PPS_WAIT", "2,8")

    def on_start(self) -> None:
        self.account = next(_pps)
        self.sign_in()

    @task(4)
    def record(self) -> None:
        task_id = random.choice(self.account["tasks"])
        finding = random.choice(FINDINGS)
        entry = {
            "client_id": str(uuid.uuid4()),
            "finding": finding,
            "method": random.choice(METHODS),
            "visited_on": DATA["visited_on"],
        }
        with self.client.post(
            f"/api/verfak/tasks/{task_id}/records/",
            json=entry,
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name=ENTRY,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201):
                why = response.error if response.status_code == 0 else response.text[:200]
                response.failure(f"{response.status_code}: {why}")

    @task(1)
    def worklist(self) -> None:
        self.page(
            f"/verfak/{DATA['stage']}/wilayah/{self.account['kelurahan']}/",
            "GET /verfak/[stage]/wilayah/[kelurahan]/ (worklist)",
        )


class Reader(SignedIn):
    """KPU and Bawaslu following the pair: its recap, its factual verification."""

    fixed_count = int(os.environ.get("LOAD_READERS", len(DATA["readers"])))
    wait_time = _wait("LOAD_READER_WAIT", "3,10")

    def on_start(self) -> None:
        self.account = next(_readers)
        self.sign_in()

    @task(2)
    def recap(self) -> None:
        self.page(f"/paslon/{DATA['pair']}/rekap/", "GET /paslon/[id]/rekap/ (recap)")

    @task(1)
    def verfak(self) -> None:
        self.page(f"/paslon/{DATA['pair']}/verfak/", "GET /paslon/[id]/verfak/ (verfak page)")
