from __future__ import annotations

from django.urls import path

from notifications import views

urlpatterns = [
    path("notifikasi/", views.notification_list, name="notification-list"),
    path("notifikasi/jumlah/", views.unread_badge, name="notification-count"),
    path("notifikasi/baca/", views.read_all, name="notification-read-all"),
    path("notifikasi/buka/", views.notification_open, name="notification-open"),
    path("notifikasi/pengaturan/", views.preference_page, name="notification-settings"),
]
