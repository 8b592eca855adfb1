from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from candidates.urls import api_urlpatterns as candidates_api
from fieldwork.urls import api_urlpatterns as fieldwork_api
from objections.urls import api_urlpatterns as objections_api
from verification.urls import api_urlpatterns as verification_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include(candidates_api + verification_api + fieldwork_api + objections_api)),
    path("", include("portal.urls")),
    path("", include("notifications.urls")),
    path("", include("documents.urls")),
    path("", include("decisions.urls")),
    path("", include("objections.urls")),
    path("", include("fieldwork.urls")),
    path("", include("verification.urls")),
    path("", include("candidates.urls")),
]
