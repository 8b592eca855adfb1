from __future__ import annotations

from django.contrib import admin

from audit.admin import AuditedAdmin
from documents.models import Minutes


@admin.register(Minutes)
class MinutesAdmin(AuditedAdmin):
    """Read-only: issued minutes are never edited (a new meeting issues new minutes)."""

    list_display = ("code", "pair", "stage", "round", "region", "number", "issued_at")
    list_filter = ("stage",)
    search_fields = ("code", "number", "sha256")
    exclude = ("present", "figures")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
