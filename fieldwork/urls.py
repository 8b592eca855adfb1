from __future__ import annotations

from django.urls import path

from fieldwork import api, views

urlpatterns = [
    path("paslon/<int:pk>/verfak/", views.pair_page, name="verfak-pair"),
    path("paslon/<int:pk>/verfak/lembar/", views.sheet_upload, name="verfak-sheet-upload"),
    path("verfak/sw.js", views.service_worker, name="verfak-sw"),
    path("verfak/<int:pk>/wilayah/<str:code>/", views.worklist, name="verfak-worklist"),
    path("verfak/<int:pk>/form-a/", views.reports_page, name="verfak-reports"),
    path("verfak/<int:pk>/saran/", views.advice_list, name="verfak-advice-list"),
    path("verfak/<int:pk>/saran/baru/", views.advice_new, name="verfak-advice-new"),
    path("verfak/saran/<int:pk>/", views.advice_page, name="verfak-advice"),
    path("verfak/tugas/<int:pk>/", views.task_page, name="verfak-task"),
    path("verfak/lembar/<int:pk>/", views.sheet_detail, name="verfak-sheet"),
    path("verfak/lembar/<int:pk>/progres/", views.sheet_progress, name="verfak-sheet-progress"),
]

api_urlpatterns = [
    path(
        "verfak/tasks/<int:pk>/records/",
        api.TaskRecordsView.as_view(),
        name="api-verfak-task-records",
    ),
]
