"""Back office. NIK fields (hash, ciphertext) never appear in a form or a list."""

from __future__ import annotations

from django.contrib import admin

from candidates.models import Election, Pair, Supporter, SupportUpload, TeamMembership
from electorate.admin import UPLOAD_FIELDS, KeepHistoryAdmin, ReadOnlyAdmin


@admin.register(Election)
class ElectionAdmin(KeepHistoryAdmin):
    list_display = ("name", "slug", "region", "level", "dpt_count", "voting_day", "rule_set")
    list_filter = ("level", "rule_set")
    search_fields = ("name", "slug")
    autocomplete_fields = ("region",)
    raw_id_fields = ("roll",)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Pair)
class PairAdmin(KeepHistoryAdmin):
    list_display = ("name", "election", "created_at")
    list_filter = ("election",)
    search_fields = ("name",)
    inlines = [TeamMembershipInline]


@admin.register(SupportUpload)
class SupportUploadAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "pair",
        "round",
        "status",
        "accepted",
        "rejected",
        "uploaded_at",
    )
    list_filter = ("status", "round")
    fields = ("pair", "round", *UPLOAD_FIELDS)


@admin.register(Supporter)
class SupporterAdmin(ReadOnlyAdmin):
    list_display = ("nik_masked", "name", "pair", "round", "kelurahan", "row_number")
    list_filter = ("round", "pair")
    search_fields = ("name",)
    exclude = ("nik_hash", "nik_cipher")
    raw_id_fields = ("upload", "kelurahan")
    show_full_result_count = False
    list_select_related = ("pair", "kelurahan")
