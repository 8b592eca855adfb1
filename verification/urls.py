from __future__ import annotations

from django.urls import path

from verification import api, export_views, views

urlpatterns = [
    path("paslon/<int:pk>/verifikasi/", views.run_page, name="verification-run"),
    path("paslon/<int:pk>/verifikasi/status/", views.run_status, name="verification-status"),
    path("paslon/<int:pk>/rekap/", views.recap_page, name="verification-recap"),
    path("paslon/<int:pk>/hasil/", views.results_page, name="verification-results"),
    path("paslon/<int:pk>/ekspor/", export_views.exports_page, name="verification-exports"),
    path("ekspor/<int:pk>/", export_views.export_page, name="verification-export"),
    path(
        "ekspor/<int:pk>/progres/",
        export_views.export_progress,
        name="verification-export-progress",
    ),
    path("ekspor/<int:pk>/unduh/", export_views.export_file, name="verification-export-file"),
]

api_urlpatterns = [
    path("pairs/<int:pk>/recap/", api.RecapView.as_view(), name="api-recap"),
    path("pairs/<int:pk>/verification/", api.RunView.as_view(), name="api-verification-run"),
]
