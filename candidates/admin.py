"""Back office. NIK fields (hash, ciphertext) never appear in a form or a list."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from candidates.models import Election, Pair, Supporter, SupportUpload, TeamMembership
from candidates.services import election_validate
from electorate.admin import UPLOAD_FIELDS, KeepHistoryAdmin, ReadOnlyAdmin


class ElectionAdminForm(forms.ModelForm):
    """The back office refuses what election_create refuses: a DPT below one voter, a level
    the region does not hold (election_validate), as form errors in Indonesian. The admin
    makes the model form from it (ModelAdmin.get_form), with the fields it shows."""

    def clean(self):
        data = super().clean()
        region, level = data.get("region"), data.get("level")
        if region is not None and level and data.get("dpt_count") is not None:
            election_validate(region=region, level=level, dpt=data["dpt_count"])
        return data


@admin.register(Election)
class ElectionAdmin(KeepHistoryAdmin):
    form = ElectionAdminForm
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
