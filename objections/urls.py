from __future__ import annotations

from django.urls import path

from objections import api, views

urlpatterns = [
    # Public, no account: the citizen's check, objection and follow-up.
    path("cek-dukungan/", views.check_page, name="check"),
    path("cek-dukungan/tanggapan/", views.objection_new, name="objection-new"),
    path("cek-dukungan/lacak/", views.track_page, name="objection-track"),
    # KPU and Bawaslu.
    path("tanggapan-masyarakat/", views.objection_list, name="objection-list"),
    path("tanggapan-masyarakat/baru/", views.objection_file_page, name="objection-file"),
    path("tanggapan-masyarakat/<int:pk>/", views.objection_detail, name="objection-detail"),
    path(
        "tanggapan-masyarakat/<int:pk>/pernyataan/",
        views.statement_download,
        name="objection-statement",
    ),
    path("paslon/<int:pk>/tanggapan/", views.pair_page, name="objection-pair"),
]

api_urlpatterns = [
    path("cek-dukungan/", api.CheckView.as_view(), name="api-check"),
]
