"""Thin output/input shapes for the API; the services and selectors do the work."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from candidates.check_text import check_json
from candidates.elections import election_threshold
from candidates.models import Election, Pair, Round, SubmissionWindow, Supporter, SupportUpload
from candidates.submission import upload_check


class WindowOutput(serializers.ModelSerializer):
    class Meta:
        model = SubmissionWindow
        fields = ["round", "opens", "closes"]


class ElectionOutput(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    windows = WindowOutput(many=True, read_only=True)
    threshold = serializers.SerializerMethodField()
    spread_required = serializers.SerializerMethodField()
    spread_units = serializers.SerializerMethodField()

    class Meta:
        model = Election
        fields = [
            "id",
            "slug",
            "name",
            "region",
            "region_name",
            "level",
            "dpt_count",
            "voting_day",
            "windows",
            "rule_set",
            "threshold",
            "spread_required",
            "spread_units",
        ]

    def _threshold(self, election: Election):
        cache = self.context.setdefault("_thresholds", {})
        if election.pk not in cache:
            cache[election.pk] = election_threshold(election)
        return cache[election.pk]

    def get_threshold(self, election: Election) -> int:
        return self._threshold(election).threshold

    def get_spread_required(self, election: Election) -> int:
        return self._threshold(election).spread_required

    def get_spread_units(self, election: Election) -> int:
        return self._threshold(election).spread_units


class PairOutput(serializers.ModelSerializer):
    election_name = serializers.CharField(source="election.name", read_only=True)

    class Meta:
        model = Pair
        fields = ["id", "name", "election", "election_name", "created_at"]


class SupportUploadInput(serializers.Serializer):
    pair = serializers.IntegerField(
        required=False, help_text=_("Wajib untuk KPU; tim memakai pasangannya sendiri.")
    )
    round = serializers.ChoiceField(choices=Round.choices, default=Round.INITIAL)
    file = serializers.FileField()

    def validate_file(self, f):
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise serializers.ValidationError(_("Hanya berkas CSV atau XLSX yang diterima."))
        return f


class SupportUploadOutput(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    # A repair round's upload held against the repair the pair owes (candidates.submission),
    # as submission_check --json prints it; null for the initial round or before it is loaded.
    repair_check = serializers.SerializerMethodField()
    # What the file tells without the roll (candidates.precheck): counts per kind, the rows
    # (masked NIKs), the month-first notice; {} before it is loaded.
    precheck = serializers.SerializerMethodField()

    class Meta:
        model = SupportUpload
        fields = [
            "id",
            "pair",
            "round",
            "original_name",
            "sha256",
            "size",
            "status",
            "rows_read",
            "progress_percent",
            "accepted",
            "rejected",
            "errors",
            "uploaded_at",
            "started_at",
            "finished_at",
            "failure",
            "repair_check",
            "precheck",
        ]

    def get_repair_check(self, upload: SupportUpload) -> dict | None:
        if upload.round == Round.INITIAL:
            return None
        return check_json(upload_check(upload))

    def get_precheck(self, upload: SupportUpload) -> dict:
        """The report (the flagged rows' list, the download's, is a field of its own):
        counts, rows shown, notices."""
        return upload.precheck or {}


class SupporterOutput(serializers.ModelSerializer):
    kelurahan_name = serializers.CharField(source="kelurahan.name", read_only=True)

    class Meta:
        model = Supporter
        # The NIK only masked: the API never returns it whole.
        fields = [
            "id",
            "round",
            "row_number",
            "nik_masked",
            "name",
            "sex",
            "rt",
            "rw",
            "kelurahan",
            "kelurahan_name",
            "sheet_page",
        ]
