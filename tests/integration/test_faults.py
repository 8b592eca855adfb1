"""Faults, measured: Redis killed and started again while a real worker verifies, PostgreSQL
restarted in the middle of a voter-roll import and in the middle of a verification. Each ends
with every row exactly once and results identical to a clean run of the same data.

Everything runs on a private PostgreSQL cluster and a private Redis that this module starts on
free ports in a temporary directory (tests/integration/private.py), never on the shared servers
the rest of the suite uses: restarting those would break every other test. The Django side runs
in child processes pointed at them (tests/integration/fault_case.py); this process only starts
and stops servers and workers, watches the private database and compares.

The data: a synthetic DKI roll of ROLL_ROWS voters (seeds.population) and a support list of
SUPPORT_ROWS rows with planted defects (seeds.support), verified in chunks of CHUNK supporters,
so that "in the middle" is a moment the test waits for, not a guess.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.private import PrivatePostgres, PrivateRedis, private_services

pytestmark = [pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]
ROLL_ROWS = 400_000  # parsed and copied for about 3 s: the restart comes at 150,000
SUPPORT_ROWS = 10_000
CHUNK = 200  # 50 chunks: the faults come after 15
DOWN = 3.0  # seconds PostgreSQL stays down: the jobs meet a server that is not there
WAIT = 180  # seconds any one wait may take before the test fails with the worker's log

SCHEMA, BASE, CLEAN = "f_schema", "f_base", "f_clean"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@dataclass
class Lab:
    pg: PrivatePostgres
    redis: PrivateRedis
    work: Path
    setup: dict = field(default_factory=dict)
    clean: dict = field(default_factory=dict)
    tally: dict = field(default_factory=lambda: {"faults": 0, "runs": 0, "rows": 0})

    def env(self, database: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.pg.url(database),
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MEDIA_ROOT": str(self.work / "media"),
            "VERIFICATION_CHUNK_SIZE": str(CHUNK),
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    def child(self, database: str, *args: str) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "tests.integration.fault_case", *args],
            cwd=ROOT, env=self.env(database), capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-4000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    @contextlib.contextmanager
    def worker(self, database: str) -> Iterator[Worker]:
        log = self.work / f"worker-{database}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
                cwd=ROOT, env=self.env(database, LOG_LEVEL="INFO"), stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            yield Worker(process, log)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=30)

    def one(self, database: str, query: str, params: tuple = ()) -> tuple:
        return self.pg.sql(database, query, params)[0]

    def wait(self, what: str, check: Callable[[], bool], worker: Worker | None = None) -> None:
        """Poll until `check()` holds (a poll that finds the server down counts as not yet)."""
        import psycopg

        deadline = time.monotonic() + WAIT
        while True:
            try:
                if check():
                    return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"waited {WAIT} s for {what}\n" + (worker.tail() if worker else ""))
            time.sleep(0.02)


# --- what is compared ---------------------------------------------------------------------


def _tables() -> dict[str, str]:
    from candidates.models import Supporter
    from electorate.models import RollImport, Voter
    from verification.models import VerificationChunk, VerificationResult, VerificationRun

    return {
        "voter": Voter._meta.db_table,
        "import": RollImport._meta.db_table,
        "supporter": Supporter._meta.db_table,
        "run": VerificationRun._meta.db_table,
        "chunk": VerificationChunk._meta.db_table,
        "result": VerificationResult._meta.db_table,
    }


def voters(lab: Lab, database: str) -> tuple[int, int, str]:
    """Rows, distinct NIK hashes, and a digest of every row's content in NIK-hash order."""
    t = _tables()
    return lab.one(
        database,
        f"SELECT COUNT(*), COUNT(DISTINCT nik_hash), md5(string_agg(concat_ws('|', "
        "encode(nik_hash, 'hex'), name, birth_place, encode(birth_hash, 'hex'), minor, sex, "
        "marital_status, address, "
        f"rt, rw, kelurahan_code), ',' ORDER BY nik_hash)) FROM {t['voter']}",
    )


def results(lab: Lab, database: str) -> list[tuple]:
    """Every supporter with its verdict (no verdict: None), in supporter order."""
    t = _tables()
    return lab.pg.sql(
        database,
        f"SELECT s.id, r.reasons, r.outcome, r.voter_id, r.kelurahan_code, r.round, r.superseded "
        f"FROM {t['supporter']} s LEFT JOIN {t['result']} r ON r.supporter_id = s.id "
        "ORDER BY s.id",
    )


def run_state(lab: Lab, database: str, run_id: int) -> tuple[str, int, int]:
    t = _tables()
    return lab.one(
        database,
        f"SELECT status, chunks_done, chunks_total FROM {t['run']} WHERE id = %s",
        (run_id,),
    )


def run_counts(lab: Lab, database: str, run_id: int) -> dict:
    return lab.one(database, f"SELECT counts FROM {_tables()['run']} WHERE id = %s", (run_id,))[0]


# --- the lab: servers, data, the clean runs -----------------------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """The private servers, the data, and the clean runs every fault is compared with:
    f_schema (election, pair, support list loaded, empty roll), f_base (f_schema plus the roll
    imported in one process, nothing in the way), f_clean (f_base verified the same way).
    The servers are stopped and their directory removed however the tests end."""
    with contextlib.ExitStack() as stack:
        try:
            pg, redis = stack.enter_context(private_services())
        except FileNotFoundError as exc:
            pytest.skip(str(exc))
        work = pg.root.parent / "work"  # removed with the servers' directory
        work.mkdir()
        lab = Lab(pg, redis, work)
        pg.sql("postgres", f'CREATE DATABASE "{SCHEMA}"')
        lab.setup = lab.child(SCHEMA, "setup", str(work), str(ROLL_ROWS), str(SUPPORT_ROWS))
        assert lab.setup["supporters"] == SUPPORT_ROWS
        pg.database_copy(SCHEMA, BASE)
        imported = lab.child(BASE, "roll-import", str(work))
        assert (imported["status"], imported["accepted"]) == ("done", ROLL_ROWS)
        pg.database_copy(BASE, CLEAN)
        clean = lab.child(CLEAN, "verify")
        assert clean["status"] == "done" and clean["chunks"] == SUPPORT_ROWS // CHUNK
        outcomes = {o: clean["counts"][o] for o in ("MS", "BMS", "TMS")}
        assert outcomes == lab.setup["expected_outcomes"]  # the clean run finds every defect
        lab.clean = {
            "voters": voters(lab, BASE),
            "results": results(lab, CLEAN),
            "counts": clean["counts"],
        }
        yield lab
        print(
            f"\nfaults: {lab.tally['faults']} injected, {lab.tally['runs']} runs completed after "
            f"them, {lab.tally['rows']:,} rows compared with the clean runs: all identical"
        )


def _results_identical(lab: Lab, database: str, run_id: int) -> None:
    got = results(lab, database)
    assert len(got) == SUPPORT_ROWS
    assert all(row[2] is not None for row in got), "a supporter without a verdict"
    assert got == lab.clean["results"]
    assert run_counts(lab, database, run_id) == lab.clean["counts"]
    lab.tally["rows"] += len(got)
    lab.tally["runs"] += 1


def _past(lab: Lab, database: str, run_id: int, chunks: int) -> Callable[[], bool]:
    return lambda: run_state(lab, database, run_id)[1] >= chunks


def _status(lab: Lab, database: str, run_id: int, *wanted: str) -> Callable[[], bool]:
    return lambda: run_state(lab, database, run_id)[0] in wanted


# --- the faults ---------------------------------------------------------------------------

MID = SUPPORT_ROWS // CHUNK * 3 // 10  # chunks done when the fault comes


@contextlib.contextmanager
def _pending_chunks_held(lab: Lab, database: str, run_id: int) -> Iterator[int]:
    """Row locks on the run's pending chunks for the duration of the block: the worker's next
    claim (a conditional UPDATE) waits for them. Yields how many were held."""
    import psycopg

    with psycopg.connect(lab.pg.url(database)) as conn:
        held = conn.execute(
            f"SELECT id FROM {_tables()['chunk']} WHERE run_id = %s AND status = 'pending' "
            "FOR UPDATE",
            (run_id,),
        ).fetchall()
        yield len(held)


def test_redis_killed_mid_verification_ends_done_with_clean_results(lab):
    """The worker is working a run when Redis dies (SIGKILL, no persistence: every queued and
    unacknowledged message is gone) and comes back empty on the same port. The verification
    needs the database only, so it goes on and ends DONE; the worker reconnects and runs the
    next task it is sent."""
    database = "f_redis"
    lab.pg.database_copy(BASE, database)
    with lab.worker(database) as worker:
        run = lab.child(database, "verify-start")["run"]
        lab.wait(f"{MID} chunks", _past(lab, database, run, MID), worker)
        # The run's pending chunks are held (row locks: its next claim waits) until Redis is
        # back, so that the run is still working when Redis returns, however fast the machine.
        # A task that ends while Redis is down is another case: the worker's ack fails, and
        # kombu 5.7 then dies restoring the unacked message (`conninfo` is None); systemd
        # restarts it (deploy/systemd, Restart=always).
        with _pending_chunks_held(lab, database, run) as held:
            lab.redis.kill()
            lab.tally["faults"] += 1
            killed_at = run_state(lab, database, run)
            time.sleep(DOWN)
            lab.redis.start()
        assert held > 0, "the run finished its chunks before Redis was killed"
        assert killed_at[0] == "running" and MID <= killed_at[1] < killed_at[2]
        lab.wait("the run to end", _status(lab, database, run, "done", "failed"), worker)
        assert run_state(lab, database, run)[0] == "done", worker.tail()
        _results_identical(lab, database, run)
        # The worker is back on the new Redis: a new run of the pair, sent after the restart.
        again = lab.child(database, "verify-start")["run"]
        assert again != run
        lab.wait("the run sent after the restart", _status(lab, database, again, "done"), worker)
        assert worker.process.poll() is None
    _results_identical(lab, database, again)


def test_postgresql_restarted_mid_roll_import_then_the_same_file_again_loads_each_row_once(lab):
    """PostgreSQL stops (fast shutdown: every connection cut) while a worker imports the DPT,
    and stays down a few seconds: the import's transaction is lost, and the import is marked
    failed once the server is back. Sending the same file again loads it: every voter once,
    the same rows as the import that nothing disturbed."""
    database = "f_roll"
    lab.pg.database_copy(SCHEMA, database)
    table = _tables()["import"]

    def job() -> tuple[str, int]:
        return lab.one(database, f"SELECT status, rows_read FROM {table} WHERE id = %s", (pk,))

    with lab.worker(database) as worker:
        pk = lab.child(database, "roll-submit", str(lab.work))["import"]
        lab.wait("the import to pass 150,000 rows", lambda: job()[1] >= 150_000, worker)
        lab.pg.restart("fast", down=DOWN)
        lab.tally["faults"] += 1
        lab.wait("the import to stop", lambda: job()[0] != "running", worker)
        assert job()[0] == "failed", worker.tail()
        assert voters(lab, database)[0] == 0  # the transaction rolled back whole
        again = lab.child(database, "roll-submit", str(lab.work))
        assert (again["import"], again["created"]) == (pk, False)
        lab.wait("the file sent again", lambda: job()[0] in ("done", "failed"), worker)
        assert job()[0] == "done", worker.tail()
    got = voters(lab, database)
    assert got == lab.clean["voters"]
    assert got[0] == got[1] == ROLL_ROWS
    lab.tally["rows"] += got[0]
    lab.tally["runs"] += 1


def test_postgresql_restarted_mid_verification_then_a_rerun_matches_the_clean_run(lab):
    """PostgreSQL is killed (immediate shutdown: crash recovery on start) while a worker works
    a run, and stays down a few seconds: the chunk in hand rolls back, is given back and the
    run marked failed once the server is back. Starting the pair's verification again, as an
    operator does, resumes the run and ends with results identical to the clean run."""
    database = "f_pg"
    lab.pg.database_copy(BASE, database)
    with lab.worker(database) as worker:
        run = lab.child(database, "verify-start")["run"]
        lab.wait(f"{MID} chunks", _past(lab, database, run, MID), worker)
        lab.pg.restart("immediate", down=DOWN)
        lab.tally["faults"] += 1
        lab.wait("the run to stop", _status(lab, database, run, "failed", "done"), worker)
        status, done, total = run_state(lab, database, run)
        assert status == "failed" and MID <= done < total, worker.tail()
        assert lab.one(database, f"SELECT COUNT(*) FROM {_tables()['chunk']} "
                       "WHERE run_id = %s AND status = 'running'", (run,)) == (0,)  # fmt: skip
        assert lab.child(database, "verify-start")["run"] == run  # resumed, not doubled
        lab.wait("the rerun", _status(lab, database, run, "done", "failed"), worker)
        assert run_state(lab, database, run)[0] == "done", worker.tail()
    _results_identical(lab, database, run)
