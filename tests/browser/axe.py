"""axe-core in the browser tests: each page a journey reaches is checked for accessibility.

axe-core comes from the npm registry (package.json and package-lock.json at the repository's
root; `.ci/prepare` runs `npm ci` when node_modules/axe-core is missing) and is served to the
page by the test itself: the page's requests for AXE_PATH (a path of the site's own origin, which
the server never answers) are answered by Playwright from node_modules, and page.add_script_tag
adds it as a script of the page's origin. Nothing of it is in the project's static files, and
the page's Content-Security-Policy (script-src 'self', no inline script) stays on: an inline
copy (add_script_tag(path=...)) would be refused by it, as it should be.

axe_check(page) runs the WCAG 2.x A/AA rules and the best practices on the page as it is,
records one line (url, violations by impact) for the run's summary (conftest.py prints them at
the end of the run; AXE_REPORT=path appends every violation, as JSON lines) and fails on any
serious or critical violation, naming each rule, its help and the first elements it found.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from weakref import WeakSet

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")
AXE_PATH = "/__tests__/axe-core/axe.min.js"
# What axe runs: WCAG 2.0/2.1/2.2 A and AA, and Deque's best practices (landmarks, one h1, a
# skip link's target, heading order...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@dataclass
class PageResult:
    url: str
    label: str
    counts: dict[str, int]
    rules: dict[str, list[str]] = field(default_factory=dict)  # rule id -> impacts, nodes

    def line(self) -> str:
        counts = " ".join(f"{impact} {self.counts.get(impact, 0)}" for impact in IMPACTS)
        rules = ", ".join(sorted(self.rules)) or "-"
        return f"{self.url:<58} {self.label:<28} {counts}  rules: {rules}"


RESULTS: list[PageResult] = []
_SERVED: WeakSet = WeakSet()  # the pages whose requests for AXE_PATH are answered


def axe_source() -> Path:
    if not AXE.exists():
        import pytest

        pytest.fail(
            f"axe-core not found at {AXE}: run `npm ci` at the repository's root "
            "(.ci/prepare does it when node_modules is missing).",
            pytrace=False,
        )
    return AXE


def axe_run(page) -> dict:
    """axe's raw results for the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        if page not in _SERVED:
            source = axe_source()
            page.route(
                origin + AXE_PATH,
                lambda route: route.fulfill(path=source, content_type="text/javascript"),
            )
            _SERVED.add(page)
        page.add_script_tag(url=origin + AXE_PATH)
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("(options) => window.axe.run(document, options)", options)


def axe_check(page, label: str = "") -> PageResult:
    """Check the page; record its line; fail on a serious or critical violation."""
    results = axe_run(page)
    counts: dict[str, int] = {}
    rules: dict[str, list[str]] = {}
    for violation in results["violations"]:
        impact = violation.get("impact") or "minor"
        counts[impact] = counts.get(impact, 0) + len(violation["nodes"])
        rules[violation["id"]] = [impact, violation["help"]] + [
            " ".join(str(t) for t in node["target"]) for node in violation["nodes"][:5]
        ]
    parts = urlsplit(page.url)
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    result = PageResult(url=url, label=label, counts=counts, rules=rules)
    RESULTS.append(result)
    if os.environ.get("AXE_REPORT"):  # every violation and element, a JSON line a page
        with open(os.environ["AXE_REPORT"], "a") as report:
            entry = {"url": url, "label": label, "violations": results["violations"]}
            report.write(json.dumps(entry, ensure_ascii=False) + "\n")
    blocking = {rule: found for rule, found in rules.items() if found[0] in BLOCKING}
    assert not blocking, (
        f"axe-core: serious/critical violations on {url} ({label}):\n"
        + json.dumps(blocking, indent=1, ensure_ascii=False)
    )
    return result


def axe_summary() -> list[str]:
    """The run's lines, and a total by impact."""
    if not RESULTS:
        return []
    totals = {impact: sum(r.counts.get(impact, 0) for r in RESULTS) for impact in IMPACTS}
    lines = [r.line() for r in RESULTS]
    lines.append(
        f"{len(RESULTS)} pages checked; violations by impact: "
        + ", ".join(f"{impact} {totals[impact]}" for impact in IMPACTS)
    )
    return lines
