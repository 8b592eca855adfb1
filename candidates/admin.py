"""Back office. NIK fields (hash, ciphertext) never appear in a form or a list; every save
is an audit event with before and after (audit.admin.AuditedAdmin, through electorate's base
admins)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from candidates.elections import (
    ELECTION_DECIDING_FIELDS,
    election_settings_change,
    election_settings_check,
    election_settings_diff,
    election_validate,
)
from candidates.models import Election, Pair, Supporter, SupportUpload, TeamMembership
from electorate.admin import UPLOAD_FIELDS, KeepHistoryAdmin, ReadOnlyAdmin


class ElectionAdminForm(forms.ModelForm):
    """The back office refuses what election_create refuses: a DPT below one voter, a level
    the region does not hold (election_validate), as form errors in Indonesian. A change of a
    setting outcomes depend on (ELECTION_DECIDING_FIELDS) needs a reason and is refused once a
    verification has run (election_settings_check); the admin saves it through
    election_settings_change. The admin makes the model form from it (ModelAdmin.get_form)."""

    change_reason = forms.CharField(
        label=_("Alasan perubahan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Wajib bila DPT, jenis, wilayah, aturan, hasil per alasan, hari pemungutan suara "
            "atau pengaturan lain yang menentukan hasil verifikasi diubah; tercatat di jejak "
            "audit. Setelah verifikasi berjalan pengaturan itu tidak dapat diubah lagi."
        ),
    )

    def deciding_changes(self) -> dict:
        """The deciding settings whose typed value differs from the stored one (compared on
        the server: the form's changed_data trusts the hidden initial values a browser
        posts)."""
        if self.instance.pk is None:
            return {}
        typed = {
            n: self.cleaned_data[n] for n in ELECTION_DECIDING_FIELDS if n in self.cleaned_data
        }
        moved = election_settings_diff(
            election=Election.objects.get(pk=self.instance.pk), fields=typed
        )
        return {name: typed[name] for name in moved}

    def clean(self):
        data = super().clean()
        region, level = data.get("region"), data.get("level")
        if region is not None and level and data.get("dpt_count") is not None:
            election_validate(region=region, level=level, dpt=data["dpt_count"])
        if changed := self.deciding_changes():
            election_settings_check(
                election=Election.objects.get(pk=self.instance.pk),
                fields=list(changed),
                reason=data.get("change_reason", ""),
            )
        return data


@admin.register(Election)
class ElectionAdmin(KeepHistoryAdmin):
    form = ElectionAdminForm
    list_display = ("name", "slug", "region", "level", "dpt_count", "voting_day", "rule_set")
    list_filter = ("level", "rule_set")
    search_fields = ("name", "slug")
    autocomplete_fields = ("region",)
    raw_id_fields = ("roll",)

    def save_model(self, request, obj, form, change):
        """Settings outcomes depend on go through the service (reason, before and after,
        refused once verified); the rest is saved, and audited, as any admin save."""
        if changed := form.deciding_changes():
            election_settings_change(
                election=Election.objects.get(pk=obj.pk),
                by=request.user,
                reason=form.cleaned_data["change_reason"],
                **changed,
            )
        super().save_model(request, obj, form, change)


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
