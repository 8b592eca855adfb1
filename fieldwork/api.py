"""The field API: the phone form sends each entry here (static/js/verfak.js), with an id it
made itself so that a resend after a lost answer is recorded once.

The task is fetched from the tasks the user reaches (another area's or pair's: 404); seeing the
worklist (403 otherwise) lets a user read it, may_record lets them write to it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldwork import selectors
from fieldwork.models import Record, Task
from fieldwork.serializers import EntryErrors, EntryInput, TaskHistoryOutput, TaskOutput
from fieldwork.services import record_entry


class TaskRecordsView(APIView):
    """GET: the task's state and its records. POST: record one entry (201: recorded, with the
    task's new state; 200: nothing changed, or this client_id was already recorded; 400:
    {"detail", "errors": [{"column", "message"}]})."""

    task: Task

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.task = get_object_or_404(
            selectors.tasks_in_reach(user=request.user).select_related("stage__pair__election"),
            pk=kwargs["pk"],
        )
        if not selectors.may_see_worklist(request.user):
            raise PermissionDenied
        if request.method == "POST" and not selectors.may_record(user=request.user, task=self.task):
            raise PermissionDenied

    @extend_schema(responses={200: TaskHistoryOutput})
    def get(self, request, pk: int):
        records = self.task.records.select_related("by").order_by("at", "pk")
        return Response(TaskHistoryOutput({"task": self.task, "records": records}).data)

    @extend_schema(
        request=EntryInput, responses={201: TaskOutput, 200: TaskOutput, 400: EntryErrors}
    )
    def post(self, request, pk: int):
        data = EntryInput(data=request.data)
        if not data.is_valid():
            return self._refused(data.column_errors())
        outcome = record_entry(
            task=self.task, entry=data.entry(), by=request.user, source=Record.Source.FORM
        )
        if outcome.errors:
            errors = [{"column": e.column, "message": e.message} for e in outcome.errors]
            return self._refused(errors)
        # A change comes back with the task as written, its stage, pair and election read with
        # it under the lock; an entry that changed nothing reads the task as it stands now.
        task = outcome.task
        if not outcome.changed:
            task = Task.objects.select_related("stage__pair__election").get(pk=self.task.pk)
        return Response(
            TaskOutput(task).data,
            status=status.HTTP_201_CREATED if outcome.changed else status.HTTP_200_OK,
        )

    @staticmethod
    def _refused(errors: list[dict]) -> Response:
        return Response(
            {"detail": _("Entri tidak dapat dicatat."), "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
