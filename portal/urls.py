from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from portal import national, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("nasional/", national.national_page, name="national"),
    path("akun/kode/", views.otp_verify, name="otp-verify"),
    path(
        "akun/sandi/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "akun/sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
