from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail: who did what, append-only and hash-chained. The bottom layer: every
    app writes to it, it imports none of them."""

    name = "audit"
    verbose_name = "Jejak audit"

    def ready(self) -> None:
        from audit import checks  # noqa: F401  (registers the anchor file's check)
        from audit.admin import admin_audit_all

        # After django.contrib.admin's ready (first in INSTALLED_APPS) imported every app's
        # admin module: whatever is registered there, its saves and deletes are audited.
        admin_audit_all()
