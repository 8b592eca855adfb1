from __future__ import annotations

from django.urls import path

from verification import api, views

urlpatterns = [
    path("paslon/<int:pk>/verifikasi/", views.run_page, name="verification-run"),
    path("paslon/<int:pk>/verifikasi/status/", views.run_status, name="verification-status"),
    path("paslon/<int:pk>/rekap/", views.recap_page, name="verification-recap"),
    path("paslon/<int:pk>/hasil/", views.results_page, name="verification-results"),
    path("paslon/<int:pk>/hasil.xlsx", views.results_xlsx, name="verification-results-xlsx"),
]

api_urlpatterns = [
    path("pairs/<int:pk>/recap/", api.RecapView.as_view(), name="api-recap"),
    path("pairs/<int:pk>/verification/", api.RunView.as_view(), name="api-verification-run"),
]
