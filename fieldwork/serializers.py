"""Thin input/output shapes of the field API; fieldwork.records does the work."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fieldwork import findings
from fieldwork.entries import COLUMNS, Entry
from fieldwork.models import Method, Record, Task
from fieldwork.pages import task_deadline


class EntryInput(serializers.Serializer):
    """One entry from the phone form. `client_id` is made by the phone: the same entry sent
    twice (a retry after a lost answer) is recorded once."""

    client_id = serializers.UUIDField(help_text=_("UUID buatan perangkat, satu per entri"))
    finding = serializers.ChoiceField(choices=())
    method = serializers.ChoiceField(choices=Method.choices)
    visited_on = serializers.DateField()
    deceased_on = serializers.DateField(required=False, allow_null=True)
    chosen_pair_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = findings.finding_choices()  # the table, when asked

    def entry(self) -> Entry:
        data = self.validated_data
        return Entry(
            finding=data["finding"],
            method=data["method"],
            visited_on=data["visited_on"],
            deceased_on=data.get("deceased_on"),
            chosen_pair_id=data.get("chosen_pair_id"),
            client_id=data["client_id"],
        )

    def column_errors(self) -> list[dict]:
        """DRF's {field: [messages]} as the sheet's [{"column", "message"}]."""
        return [
            {"column": COLUMNS.get(name, name.upper()), "message": str(message)}
            for name, messages in self.errors.items()
            for message in messages
        ]


class ErrorItem(serializers.Serializer):
    column = serializers.CharField(help_text=_("kolom lembar kerja: HASIL, METODE, TANGGAL, ..."))
    message = serializers.CharField()


class EntryErrors(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItem(many=True)


class TaskOutput(serializers.ModelSerializer):
    finding_label = serializers.CharField(source="get_finding_display", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)
    note_label = serializers.SerializerMethodField()
    bring_in_deadline = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "stage",
            "kelurahan_code",
            "double",
            "finding",
            "finding_label",
            "method",
            "method_label",
            "visited_on",
            "deceased_on",
            "chosen_pair",
            "attested",
            "result",
            "result_label",
            "note",
            "note_label",
            "bring_in_deadline",
            "version",
        ]

    def get_note_label(self, task: Task) -> str:
        return findings.note_label(task.note)

    def get_bring_in_deadline(self, task: Task) -> str | None:
        deadline = task_deadline(task)
        return deadline.isoformat() if deadline else None


class RecordOutput(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)

    class Meta:
        model = Record
        fields = ["id", "at", "by", "source", "values", "before", "client_id"]


class TaskHistoryOutput(serializers.Serializer):
    task = TaskOutput()
    records = RecordOutput(many=True)
