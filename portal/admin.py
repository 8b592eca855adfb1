"""The user list of the admin gains one action: issue one-time-password enrollment codes
(portal/enrollment.py), each shown once on the page that answers it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from portal import enrollment

User = get_user_model()


class PortalUserAdmin(UserAdmin):
    actions = ["otp_enrollment_issue"]

    @admin.action(
        description=_("Buat kode pendaftaran OTP (ditampilkan sekali)"),
        permissions=["change"],
    )
    def otp_enrollment_issue(self, request, queryset):
        codes = [
            (user, enrollment.otp_enrollment_issue(user=user, by=request.user))
            for user in queryset.order_by("username")
        ]
        response = TemplateResponse(
            request,
            "admin/portal/otp_codes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Kode pendaftaran OTP"),
                "codes": codes,
                "hours": enrollment.settings.OTP_ENROLLMENT_HOURS,
            },
        )
        add_never_cache_headers(response)
        return response


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
