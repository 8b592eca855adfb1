"""Back office. NIK fields (hash, ciphertext) never appear in a form or a list; every save
and delete is an audit event with before and after (audit.admin.AuditedAdmin)."""

from __future__ import annotations

from django.contrib import admin

from audit.admin import AuditedAdmin
from electorate.models import Region, RollImport, StaffAssignment, Voter, VoterRoll

UPLOAD_FIELDS = (
    "original_name",
    "sha256",
    "size",
    "uploaded_by",
    "uploaded_at",
    "status",
    "rows_read",
    "bytes_read",
    "accepted",
    "rejected",
    "errors",
    "started_at",
    "finished_at",
    "failure",
)


class ReadOnlyAdmin(AuditedAdmin):
    """Data that only the importers write: viewable, not editable or deletable by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KeepHistoryAdmin(AuditedAdmin):
    """Editable, but never deleted from the back office: verification history hangs on it."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level")

    def audit_area(self, obj) -> str:
        return obj.code

    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(VoterRoll)
class VoterRollAdmin(AuditedAdmin):
    list_display = ("name", "region", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("region",)


@admin.register(RollImport)
class RollImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "roll", "status", "accepted", "rejected", "uploaded_at")
    list_filter = ("status",)
    fields = ("roll", *UPLOAD_FIELDS)


@admin.register(Voter)
class VoterAdmin(ReadOnlyAdmin):
    list_display = ("name", "sex", "kelurahan_code", "roll")
    list_filter = ("roll",)
    search_fields = ("name",)
    exclude = ("nik_hash",)
    # Millions of rows: no COUNT(*) of the whole table on every page.
    show_full_result_count = False
    list_select_related = ("roll",)


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "region")
    list_filter = ("role",)
    search_fields = ("user__username", "region__code", "region__name")
    autocomplete_fields = ("region",)
    raw_id_fields = ("user",)
