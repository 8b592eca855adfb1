from __future__ import annotations

from django.urls import path

from documents import views

urlpatterns = [
    path("paslon/<int:pk>/berita-acara/", views.pair_page, name="minutes-pair"),
    path("berita-acara/<int:pk>/unduh/", views.download, name="minutes-download"),
    # Public, no account: the QR code on every PDF points here.
    path("berita-acara/", views.lookup, name="minutes-lookup"),
    path("berita-acara/<str:code>/", views.verify, name="minutes-verify"),
]
