from __future__ import annotations

from django.urls import path

from electorate import views

urlpatterns = [
    path("impor-dpt/<int:pk>/", views.roll_import_detail, name="roll-import-detail"),
    path("impor-dpt/<int:pk>/progres/", views.roll_import_progress, name="roll-import-progress"),
]
