from __future__ import annotations

from django.urls import path

from fieldwork import api
from fieldwork.views import actions, pair, sheets, supervision, sw, task, worklist

urlpatterns = [
    path("paslon/<int:pk>/verfak/", pair.pair_page, name="verfak-pair"),
    # The pair page's actions, one URL each (the stage and the area in the POST's fields).
    path("paslon/<int:pk>/verfak/mulai/", actions.stage_start_view, name="verfak-start"),
    path("paslon/<int:pk>/verfak/masa/", actions.window_view, name="verfak-window"),
    path("paslon/<int:pk>/verfak/tutup-semua/", actions.close_all_view, name="verfak-close-all"),
    path("paslon/<int:pk>/verfak/tutup/", actions.area_close_view, name="verfak-close"),
    path("paslon/<int:pk>/verfak/buka/", actions.area_reopen_view, name="verfak-reopen"),
    path("paslon/<int:pk>/verfak/lembar/", sheets.sheet_upload, name="verfak-sheet-upload"),
    path("verfak/sw.js", sw.service_worker, name="verfak-sw"),
    path("verfak/<int:pk>/wilayah/<str:code>/", worklist.worklist, name="verfak-worklist"),
    path(
        "verfak/<int:pk>/wilayah/<str:code>/angka/",
        worklist.worklist_counts,
        name="verfak-worklist-counts",
    ),
    path("verfak/<int:pk>/form-a/", supervision.reports_page, name="verfak-reports"),
    path("verfak/<int:pk>/saran/", supervision.advice_list, name="verfak-advice-list"),
    path("verfak/<int:pk>/saran/baru/", supervision.advice_new, name="verfak-advice-new"),
    path("verfak/saran/<int:pk>/", supervision.advice_page, name="verfak-advice"),
    path("verfak/tugas/<int:pk>/", task.task_page, name="verfak-task"),
    path("verfak/tugas/<int:pk>/koreksi/", task.task_correct, name="verfak-task-correct"),
    path("verfak/tugas/<int:pk>/saksi/", task.task_attest, name="verfak-task-attest"),
    path("verfak/lembar/<int:pk>/", sheets.sheet_detail, name="verfak-sheet"),
    path("verfak/lembar/<int:pk>/progres/", sheets.sheet_progress, name="verfak-sheet-progress"),
]

api_urlpatterns = [
    path(
        "verfak/tasks/<int:pk>/records/",
        api.TaskRecordsView.as_view(),
        name="api-verfak-task-records",
    ),
]
