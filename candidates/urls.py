from __future__ import annotations

from django.urls import path

from candidates import api
from candidates.views import elections, rolls, uploads

urlpatterns = [
    path("pemilihan/", elections.election_list, name="election-list"),
    path("pemilihan/baru/", elections.election_create_view, name="election-create"),
    path("pemilihan/<int:pk>/", elections.election_detail, name="election-detail"),
    path("pemilihan/<int:pk>/dpt/", rolls.roll_upload, name="roll-upload"),
    path(
        "pemilihan/<int:pk>/masa-penyerahan/<int:round>/",
        elections.window_set_view,
        name="window-set",
    ),
    path("impor-dpt/<int:pk>/", rolls.roll_import_detail, name="roll-import-detail"),
    path("impor-dpt/<int:pk>/progres/", rolls.roll_import_progress, name="roll-import-progress"),
    path("impor-dpt/<int:pk>/batalkan/", rolls.roll_import_undo_view, name="roll-import-undo"),
    path("pemilihan/<int:pk>/paslon/baru/", elections.pair_create_view, name="pair-create"),
    path("paslon/<int:pk>/", elections.pair_detail, name="pair-detail"),
    path("paslon/<int:pk>/tim/baru/", elections.team_member_create_view, name="team-member-create"),
    path("paslon/<int:pk>/pendukung/", elections.supporter_list, name="supporter-list"),
    path("paslon/<int:pk>/unggah/", uploads.upload_create, name="upload-create"),
    path("unggahan/<int:pk>/", uploads.upload_detail, name="upload-detail"),
    path("unggahan/<int:pk>/progres/", uploads.upload_progress, name="upload-progress"),
    path(
        "unggahan/<int:pk>/peringatan.<str:fmt>",
        uploads.upload_precheck_download,
        name="upload-precheck-download",
    ),
    path("paslon/<int:pk>/templat/", uploads.support_template, name="support-template"),
    path("panduan/daftar-dukungan/", uploads.upload_guide, name="upload-guide"),
    path("panduan/dpt/", rolls.roll_guide, name="roll-guide"),
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
