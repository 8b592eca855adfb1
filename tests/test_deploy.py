"""deploy/: the files an operator copies are sound and agree with the settings.

`systemd-analyze verify` checks every unit where systemd is installed (the ExecStart binaries,
which live in /opt/pilkada/.venv on a server, are swapped for /bin/true in a copy); everywhere,
a plain parse of the units catches a misspelt key. The environment file holds every variable
of docs/deployment.md's settings table, nginx takes a body as large as ROLL_UPLOAD_MAX_BYTES and
appends the client's address (TRUSTED_PROXY_COUNT=1), and one worker unit serves any queue.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("pilkada-*"))
# The keys the units use, per section: a key outside these is a typo systemd would ignore.
KNOWN = {
    "Unit": {"Description", "Documentation", "After", "Wants", "Requires"},
    "Service": {
        "Type", "NotifyAccess", "User", "Group", "WorkingDirectory", "Environment",
        "EnvironmentFile", "ExecStart", "ExecReload", "KillMode", "KillSignal",
        "TimeoutStopSec", "Restart", "RestartSec", "LimitNOFILE", "PrivateTmp",
        "NoNewPrivileges", "ProtectSystem", "ProtectHome", "ReadWritePaths",
        "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
        "RestrictAddressFamilies", "MemoryHigh", "MemoryMax", "MemorySwapMax", "OOMPolicy",
        "LimitCORE",
    },
    "Timer": {"OnCalendar", "Persistent", "RandomizedDelaySec", "Unit"},
    "Install": {"WantedBy"},
}  # fmt: skip


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    text = path.read_text().replace("\\\n", " ")  # continuation lines, as systemd joins them
    parser.read_string(text, source=str(path))
    return parser


def test_units_parse_with_known_sections_and_keys():
    assert {u.name for u in UNITS} == {
        "pilkada-web.service",
        "pilkada-worker@.service",
        "pilkada-retention.service",
        "pilkada-retention.timer",
        "pilkada-audit-verify.service",
        "pilkada-audit-verify.timer",
        "pilkada-notify.service",
        "pilkada-notify.timer",
    }
    for path in UNITS:
        unit = _unit(path)
        assert unit.sections(), path.name
        for section in unit.sections():
            assert section in KNOWN, f"{path.name}: [{section}]"
            unknown = set(unit[section]) - KNOWN[section]
            assert not unknown, f"{path.name} [{section}]: {unknown}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd not installed")
def test_units_pass_systemd_analyze_verify(tmp_path):
    for path in UNITS:
        name = path.name.replace("@.service", "@verification.service")  # an instance
        text = re.sub(r"/opt/pilkada/\.venv/bin/\S+", "/bin/true", path.read_text())
        (tmp_path / name).write_text(text)
    files = sorted(str(p) for p in tmp_path.iterdir())
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *files],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    # Unknown keys and bad values are warnings (exit 0): any output at all is a finding.
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), (
        done.stdout + done.stderr
    )


def test_the_processes_that_read_uploads_cap_their_memory_and_dump_no_core():
    """The web and the workers never swap what they read out nor leave a core file, and each
    has a ceiling (the spreadsheet reader has its own, PARSE_MEMORY_LIMIT_BYTES)."""
    for name in ("pilkada-web.service", "pilkada-worker@.service"):
        service = _unit(DEPLOY / "systemd" / name)["Service"]
        assert service["LimitCORE"] == "0" and service["MemorySwapMax"] == "0", name
        assert service["OOMPolicy"] == "continue" and "MemoryMax" in service, name
    worker = _unit(DEPLOY / "systemd" / "pilkada-worker@.service")["Service"]
    ceiling = int(worker["MemoryMax"].rstrip("M")) << 20
    assert ceiling > settings.PARSE_MEMORY_LIMIT_BYTES + (1 << 30)


def test_one_worker_unit_serves_every_queue_by_its_instance_name():
    start = _unit(DEPLOY / "systemd" / "pilkada-worker@.service")["Service"]["ExecStart"]
    assert "--queues=%i" in start
    readme = (DEPLOY / "README.md").read_text()
    for queue in settings.WORKER_QUEUES:
        assert f"`{queue}`" in readme, f"deploy/README.md says nothing of the {queue} queue"


def test_the_timer_starts_the_purge_daily():
    timer = _unit(DEPLOY / "systemd" / "pilkada-retention.timer")["Timer"]
    assert timer["Unit"] == "pilkada-retention.service"
    assert timer["OnCalendar"].startswith("*-*-* ")
    assert timer["Persistent"] == "true"
    purge = _unit(DEPLOY / "systemd" / "pilkada-retention.service")["Service"]
    assert "manage.py retention_purge" in purge["ExecStart"]


def _readme_settings() -> set[str]:
    """The variables of the settings table (docs/deployment.md)."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    table = text.split("| variable | meaning |", 1)[1].split("\n\n", 1)[0]
    names = set()
    for line in table.splitlines():
        first = line.split("|")[1] if line.startswith("|") else ""
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)(?:=[^`]*)?`", first))
    return names


def test_the_environment_file_names_every_setting_of_the_deployment_doc():
    text = (DEPLOY / "pilkada.env.example").read_text()
    assigned = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.M))
    wanted = _readme_settings()
    assert len(wanted) >= 10
    assert wanted <= assigned, f"missing from deploy/pilkada.env.example: {wanted - assigned}"
    assert "DJANGO_ENV=production" in text


def test_nginx_takes_a_roll_as_large_as_the_application_and_appends_the_client():
    conf = (DEPLOY / "nginx" / "pilkada.conf").read_text()
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    sizes = re.findall(r"client_max_body_size\s+(\d+)([kmg]?);", conf)
    # The roll's location alone (tests/test_body_limits.py: each location's own limit).
    largest = max(int(n) * scale[unit] for n, unit in sizes)
    assert largest == settings.ROLL_UPLOAD_MAX_BYTES + settings.REQUEST_MAX_BYTES
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf
    assert "X-Forwarded-Proto $scheme" in conf
    env = (DEPLOY / "pilkada.env.example").read_text()
    assert re.search(r"^TRUSTED_PROXY_COUNT=1$", env, flags=re.M)
    assert re.search(rf"^ROLL_UPLOAD_MAX_BYTES={settings.ROLL_UPLOAD_MAX_BYTES}$", env, flags=re.M)


def test_every_service_writes_the_audit_anchor_file_and_a_timer_checks_the_trail_daily():
    """Every process that records events (web, workers, the purge) may append to the anchor
    file's directory, which is outside the application's own (/var/lib/pilkada); the trail is
    checked against it every day."""
    env = (DEPLOY / "pilkada.env.example").read_text()
    anchor = re.search(r"^AUDIT_ANCHOR_FILE=(\S+)$", env, flags=re.M)
    assert anchor is not None
    directory = str(Path(anchor[1]).parent)
    assert not directory.startswith("/var/lib/pilkada")
    for path in UNITS:
        if path.suffix == ".service":
            writable = _unit(path)["Service"]["ReadWritePaths"].split()
            assert directory in writable, path.name
    timer = _unit(DEPLOY / "systemd" / "pilkada-audit-verify.timer")["Timer"]
    assert timer["Unit"] == "pilkada-audit-verify.service"
    assert timer["OnCalendar"].startswith("*-*-* ") and timer["Persistent"] == "true"
    check = _unit(DEPLOY / "systemd" / "pilkada-audit-verify.service")["Service"]
    assert "manage.py audit_verify" in check["ExecStart"]
    migrate = (DEPLOY / "pilkada-migrate").read_text()
    assert "manage.py migrate" in migrate and "db_grants" in migrate
