from __future__ import annotations

from django.urls import path

from candidates import api, views

urlpatterns = [
    path("pemilihan/", views.election_list, name="election-list"),
    path("pemilihan/baru/", views.election_create_view, name="election-create"),
    path("pemilihan/<int:pk>/", views.election_detail, name="election-detail"),
    path("pemilihan/<int:pk>/dpt/", views.roll_upload, name="roll-upload"),
    path(
        "pemilihan/<int:pk>/masa-penyerahan/<int:round>/",
        views.window_set_view,
        name="window-set",
    ),
    path("impor-dpt/<int:pk>/", views.roll_import_detail, name="roll-import-detail"),
    path("impor-dpt/<int:pk>/progres/", views.roll_import_progress, name="roll-import-progress"),
    path("impor-dpt/<int:pk>/batalkan/", views.roll_import_undo_view, name="roll-import-undo"),
    path("pemilihan/<int:pk>/paslon/baru/", views.pair_create_view, name="pair-create"),
    path("paslon/<int:pk>/", views.pair_detail, name="pair-detail"),
    path("paslon/<int:pk>/tim/baru/", views.team_member_create_view, name="team-member-create"),
    path("paslon/<int:pk>/pendukung/", views.supporter_list, name="supporter-list"),
    path("paslon/<int:pk>/unggah/", views.upload_create, name="upload-create"),
    path("unggahan/<int:pk>/", views.upload_detail, name="upload-detail"),
    path("unggahan/<int:pk>/progres/", views.upload_progress, name="upload-progress"),
    path("paslon/<int:pk>/templat/", views.support_template, name="support-template"),
    path("panduan/daftar-dukungan/", views.upload_guide, name="upload-guide"),
    path("panduan/dpt/", views.roll_guide, name="roll-guide"),
]

api_urlpatterns = [
    path("elections/", api.ElectionList.as_view(), name="api-election-list"),
    path("elections/<int:pk>/", api.ElectionDetail.as_view(), name="api-election-detail"),
    path("pairs/", api.PairList.as_view(), name="api-pair-list"),
    path("pairs/<int:pk>/", api.PairDetail.as_view(), name="api-pair-detail"),
    path("pairs/<int:pk>/supporters/", api.SupporterList.as_view(), name="api-supporter-list"),
    path(
        "pairs/<int:pk>/submission-check/",
        api.SubmissionCheckDetail.as_view(),
        name="api-submission-check",
    ),
    path("uploads/", api.SupportUploadListCreate.as_view(), name="api-upload-list"),
    path("uploads/<int:pk>/", api.SupportUploadDetail.as_view(), name="api-upload-detail"),
]
