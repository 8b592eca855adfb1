"""fieldwork/services.py is the one place the fieldwork layer's views, API and commands import
writes from (issue 20 item 4): none of them imports a write of fieldwork/services.py from the
topic module that holds it (stages, records, closing, supervision, sheets...)."""

from __future__ import annotations

import ast
from pathlib import Path

from fieldwork import services

ROOT = Path(__file__).resolve().parents[2] / "fieldwork"
CALLERS = [
    *sorted((ROOT / "views").glob("*.py")),
    ROOT / "api.py",
    *sorted((ROOT / "management" / "commands").glob("*.py")),
]


def _writes() -> set[str]:
    """The names fieldwork.services gives: the writes it re-exports and its own entry points."""
    own = {name for name, value in vars(services).items() if callable(value) and
           getattr(value, "__module__", "") == services.__name__}  # fmt: skip
    return set(services.__all__) | own


def test_callers_import_writes_from_services_only():
    writes = _writes()
    assert {"record_entry", "stage_start", "area_close", "sheet_submit"} <= writes
    wrong = []
    for path in CALLERS:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if node.module.startswith("fieldwork.") and node.module != "fieldwork.services":
                for alias in node.names:
                    if alias.name in writes:
                        wrong.append(f"{path.relative_to(ROOT.parent)}: {node.module}.{alias.name}")
    assert not wrong, wrong


def test_views_hold_no_module_over_300_lines():
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "views").glob("*.py")}
    assert max(sizes.values()) < 300, sizes
