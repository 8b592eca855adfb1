"""The trail in the back office: read only, for superusers (KPU and Bawaslu read theirs on the
audit page)."""

from __future__ import annotations

from django.contrib import admin

from audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor", "action", "area", "target")
    list_filter = ("action",)
    search_fields = ("actor", "action", "target", "area")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
