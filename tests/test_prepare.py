""".ci/prepare, which `make test` runs first: it starts PostgreSQL and Redis when they are down,
installs the Debian packages the tests need when run as root, and otherwise prints the apt-get
command and stops before any test.

The script is run here with the commands it calls (dpkg-query, apt-get, id, pg_isready,
redis-cli, pg_ctlcluster, redis-server) replaced by stubs first on PATH, which record their calls
and answer from files: nothing is installed, and the real PostgreSQL and Redis, which others are
using, are never stopped or started. One test runs it for real with --check, which only reads.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
PREPARE = ROOT / ".ci" / "prepare"
# The table in the script: one package a line, then why.
TABLE = re.search(r'^REQUIRED="\n(.*?)^"', PREPARE.read_text(), re.S | re.M)
assert TABLE, "the REQUIRED table in .ci/prepare"
PACKAGES = [line.split()[0] for line in TABLE[1].splitlines() if line.strip()]

STUBS = {
    # Like dpkg's: a line for each package it knows, non-zero if one is unknown.
    "dpkg-query": """
        status=0
        for a in "$@"; do
          case "$a" in -*) continue ;; esac
          if grep -qx -- "$a" "$FAKE/installed"; then echo "$a installed"; else status=1; fi
        done
        exit $status""",
    "apt-get": """
        echo "$DEBIAN_FRONTEND $*" >> "$FAKE/apt.log"
        seen=0
        for a in "$@"; do
          [ "$seen" = 1 ] && case "$a" in -*) ;; *) echo "$a" >> "$FAKE/installed" ;; esac
          [ "$a" = install ] && seen=1
        done
        exit 0""",
    "id": 'echo "$FAKE_UID"',
    "pg_isready": '[ -e "$FAKE/pg_up" ]',
    "redis-cli": '[ -e "$FAKE/redis_up" ] && echo PONG; exit 0',
    "pg_ctlcluster": """
        echo "$*" >> "$FAKE/start.log"
        [ -e "$FAKE/pg_starts" ] && touch "$FAKE/pg_up"; exit 0""",
    "redis-server": """
        echo "redis-server $*" >> "$FAKE/start.log"
        touch "$FAKE/redis_up\"""",
    # npm ci: records where it ran, "installs" axe-core where the script looks for it.
    "npm": """
        echo "$PWD $*" >> "$FAKE/npm.log"
        [ -e "$FAKE/npm_fails" ] && exit 1
        mkdir -p "$PREPARE_NODE_MODULES/axe-core"
        touch "$PREPARE_NODE_MODULES/axe-core/axe.min.js\"""",
}


# Each example runs the script once (a few processes): a score of subsets is plenty.
SCRIPT_RUNS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def machine(tmp_path: Path, *, missing=(), postgres_up=True, redis_up=True, axe=True) -> Path:
    fake = tmp_path / "machine"
    (fake / "bin").mkdir(parents=True)
    for name, body in STUBS.items():
        stub = fake / "bin" / name
        stub.write_text("#!/usr/bin/env bash\n" + body + "\n")
        stub.chmod(0o755)
    (fake / "installed").write_text("".join(f"{p}\n" for p in PACKAGES if p not in missing))
    if postgres_up:
        (fake / "pg_up").touch()
    if redis_up:
        (fake / "redis_up").touch()
    if axe:
        (fake / "node_modules" / "axe-core").mkdir(parents=True)
        (fake / "node_modules" / "axe-core" / "axe.min.js").touch()
    return fake


def prepare(fake: Path, *args: str, uid: int = 0, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"CHROMIUM", "DEBIAN_FRONTEND"}}
    environ |= {
        "PATH": f"{fake / 'bin'}:{os.environ['PATH']}",
        "FAKE": str(fake),
        "FAKE_UID": str(uid),
        "PREPARE_NODE_MODULES": str(fake / "node_modules"),
        **env,
    }
    return subprocess.run(
        ["bash", str(PREPARE), *args], env=environ, capture_output=True, text=True, timeout=60
    )


def log(fake: Path, name: str) -> list[str]:
    path = fake / name
    return path.read_text().splitlines() if path.exists() else []


def test_the_table_holds_what_the_browser_and_minutes_tests_need():
    assert {"chromium", "poppler-utils", "libpango-1.0-0", "libpangoft2-1.0-0"} <= set(PACKAGES)
    assert "fonts-liberation" in PACKAGES  # templates/documents/minutes.css names it first
    assert "Liberation Sans" in (ROOT / "templates/documents/minutes.css").read_text()


def test_a_ready_machine_passes_without_installing_or_starting_anything(tmp_path):
    fake = machine(tmp_path)
    done = prepare(fake)
    assert done.returncode == 0, done.stderr
    assert "PostgreSQL and Redis answer" in done.stdout
    assert log(fake, "apt.log") == [] and log(fake, "start.log") == []


@SCRIPT_RUNS
@given(missing=st.sets(st.sampled_from(PACKAGES), min_size=1))
def test_check_names_exactly_the_missing_packages_in_one_apt_get_command(tmp_path_factory, missing):
    fake = machine(tmp_path_factory.mktemp("check"), missing=missing)
    done = prepare(fake, "--check")
    assert done.returncode != 0
    command = re.search(r"^  apt-get update && apt-get install -y (.*)$", done.stderr, re.M)
    assert command, done.stderr
    assert command[1].split() == [p for p in PACKAGES if p in missing]  # the table's order
    assert "nothing was run" in done.stderr
    assert log(fake, "apt.log") == []  # --check installs nothing, even as root


def test_without_root_the_missing_packages_are_named_with_the_command_and_not_installed(tmp_path):
    fake = machine(tmp_path, missing={"chromium", "poppler-utils"})
    done = prepare(fake, uid=1000)
    assert done.returncode == 1
    assert "  apt-get update && apt-get install -y chromium poppler-utils\n" in done.stderr
    assert "pdftotext reads the minutes' PDFs back" in done.stderr  # why, beside each package
    assert log(fake, "apt.log") == []


@SCRIPT_RUNS
@given(missing=st.sets(st.sampled_from(PACKAGES), min_size=1))
def test_as_root_the_missing_packages_are_installed_with_one_update_noninteractively(
    tmp_path_factory, missing
):
    fake = machine(tmp_path_factory.mktemp("root"), missing=missing)
    done = prepare(fake, uid=0)
    assert done.returncode == 0, done.stderr
    calls = log(fake, "apt.log")
    assert len(calls) == 2 and calls[0].endswith(" update")
    assert all(call.startswith("noninteractive -q ") for call in calls)
    wanted = [p for p in PACKAGES if p in missing]
    assert calls[1].split()[-(len(wanted) + 2) :] == ["install", "-y", *wanted]
    assert set(log(fake, "installed")) == set(PACKAGES)


def test_a_package_apt_get_did_not_install_fails_the_run(tmp_path):
    fake = machine(tmp_path, missing={"chromium"})
    (fake / "bin" / "apt-get").write_text('#!/usr/bin/env bash\necho "$*" >> "$FAKE/apt.log"\n')
    done = prepare(fake, uid=0)
    assert done.returncode == 1
    assert "apt-get install -y chromium" in done.stderr and "nothing was run" in done.stderr


def test_a_chromium_given_in_CHROMIUM_stands_in_for_the_package(tmp_path):
    fake = machine(tmp_path, missing={"chromium"})
    done = prepare(fake, "--check", CHROMIUM="/bin/true")
    assert done.returncode == 0, done.stderr


def test_check_reports_services_down_and_starts_neither(tmp_path):
    fake = machine(tmp_path, postgres_up=False, redis_up=False)
    done = prepare(fake, "--check")
    assert done.returncode == 1
    assert "PostgreSQL is down on 127.0.0.1:5432" in done.stderr
    assert "Redis is down on 127.0.0.1:6379" in done.stderr
    assert log(fake, "start.log") == []


def test_services_down_are_started_with_the_machines_commands(tmp_path):
    fake = machine(tmp_path, postgres_up=False, redis_up=False)
    (fake / "pg_starts").touch()
    done = prepare(fake)
    assert done.returncode == 0, done.stderr
    postgres, redis = log(fake, "start.log")
    assert re.fullmatch(r"--skip-systemctl-redirect \S+ main start", postgres)
    assert redis == (
        "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save  --appendonly no "
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    )


def test_a_service_that_does_not_come_up_is_named_and_fails_the_run(tmp_path):
    fake = machine(tmp_path, postgres_up=False)  # pg_ctlcluster "starts" it, it never answers
    done = prepare(fake, PREPARE_WAIT_SECONDS="0")
    assert done.returncode == 1
    assert "PostgreSQL started but does not answer on 127.0.0.1:5432" in done.stderr
    assert "nothing was run" in done.stderr


def test_this_machine_is_ready_for_the_suite():
    """For real, read-only: what `make test` has just prepared (or what to do about it)."""
    done = subprocess.run(
        ["bash", str(PREPARE), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_axe_core_missing_is_installed_with_npm_ci_at_the_repositorys_root(tmp_path):
    fake = machine(tmp_path, axe=False)
    done = prepare(fake, uid=1000)  # npm needs no root
    assert done.returncode == 0, done.stderr
    assert log(fake, "npm.log") == [f"{ROOT} ci --no-audit --no-fund --loglevel=error"]
    assert (fake / "node_modules" / "axe-core" / "axe.min.js").exists()
    assert log(fake, "apt.log") == []


def test_axe_core_missing_is_only_reported_by_check_and_a_failed_npm_fails_the_run(tmp_path):
    fake = machine(tmp_path, axe=False)
    done = prepare(fake, "--check")
    assert done.returncode == 1 and "axe-core is not installed" in done.stderr
    assert "npm ci" in done.stderr and log(fake, "npm.log") == []
    (fake / "npm_fails").touch()
    done = prepare(fake)
    assert done.returncode == 1 and "npm ci failed" in done.stderr
    assert "nothing was run" in done.stderr


def test_the_lock_pins_axe_core_4_and_node_modules_is_never_committed():
    import json

    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"]["version"].startswith("4.")
    assert "node_modules/" in (ROOT / ".gitignore").read_text().split()


def test_make_test_prepares_the_machine_before_any_test_and_ci_is_lint_then_test():
    planned = subprocess.run(
        ["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    prepare_at = planned.index("bash .ci/prepare")
    assert prepare_at < min(i for i, line in enumerate(planned) if "pytest" in line)
    steps = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert steps == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make lint", "make test"]
