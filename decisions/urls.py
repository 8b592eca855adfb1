from __future__ import annotations

from django.urls import path

from decisions import views

urlpatterns = [
    path("paslon/<int:pk>/keputusan/", views.decision_page, name="decision-pair"),
]
