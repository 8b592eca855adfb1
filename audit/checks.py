"""At start: the anchor file can be written (an unwritable one would lose every anchor
silently: anchor_write logs and goes on, the action being committed already)."""

from __future__ import annotations

from django.core.checks import Error, register

from audit.anchors import anchor_file_check


@register()
def anchor_file_writable(app_configs, **kwargs):
    problem = anchor_file_check()
    if problem is None:
        return []
    return [
        Error(
            f"AUDIT_ANCHOR_FILE: {problem}",
            hint="Create it as deploy/README.md says (root-owned directory, chattr +a), "
            "writable by the application's user.",
            id="audit.E001",
        )
    ]
