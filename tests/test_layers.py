"""Templates keep the layers too: a page of one app links only to its own app's URLs and those
of the apps below it (import-linter checks the Python side in `make lint`). The site chrome
(templates/*.html: base, 403, 404, registration) belongs to the top layer, the portal; the
partials in templates/includes/ to the bottom one."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import get_resolver

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
# Bottom to top, as in pyproject.toml's import-linter contract.
LAYERS = [
    "electorate",
    "candidates",
    "verification",
    "fieldwork",
    "objections",
    "decisions",
    "documents",
    "notifications",
    "portal",
]
URL_TAG = re.compile(r"{%\s*url\s+['\"]([\w:-]+)['\"]")


def _url_apps() -> dict[str, str]:
    """URL name -> the app whose view serves it ('' for Django's own: admin, login)."""
    apps: dict[str, str] = {}

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns)
            elif p.name:
                module = getattr(p.callback, "__module__", "") or ""
                top = module.split(".", 1)[0]
                apps.setdefault(p.name, top if top in LAYERS else "")

    walk(get_resolver().url_patterns)
    return apps


def _template_layer(path: Path) -> str:
    relative = path.relative_to(TEMPLATES)
    folder = relative.parts[0] if len(relative.parts) > 1 else ""
    if folder == "includes":  # partials every layer includes: they may link to nothing above
        return LAYERS[0]
    return folder if folder in LAYERS else "portal"


def test_every_template_links_only_to_its_own_layer_or_below():
    apps = _url_apps()
    wrong = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        layer = LAYERS.index(_template_layer(path))
        for name in URL_TAG.findall(path.read_text()):
            app = apps.get(name.split(":")[-1], "")
            if app and LAYERS.index(app) > layer:
                wrong.append(f"{path.relative_to(ROOT)} links to {name!r} ({app})")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_the_links_it_is_about():
    # Guard against a check that passes because it finds nothing: the apps' URLs are known.
    apps = _url_apps()
    assert apps["pair-detail"] == "candidates"
    assert apps["verification-recap"] == "verification"
    assert apps["home"] == "portal"
    assert URL_TAG.findall("{% url 'pair-detail' pair.pk %}") == ["pair-detail"]
