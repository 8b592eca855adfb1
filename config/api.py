"""The API's one error shape, set as DRF's EXCEPTION_HANDLER in settings: every app's API
views answer {"detail": message[, "errors": {...}]} with Indonesian messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from files.uploads import UploadTooLarge


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def exception_handler(exc, context):
    if isinstance(exc, UploadTooLarge):  # any service that keeps a file: 413, the limit in MB
        exc = PayloadTooLarge(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("Data yang dikirim tidak valid."), "errors": response.data}
    elif isinstance(exc, exceptions.NotFound):
        response.data = {"detail": _("Tidak ditemukan.")}
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = {"detail": _("Silakan masuk terlebih dahulu.")}
    elif isinstance(exc, exceptions.PermissionDenied):
        response.data = {"detail": _("Anda tidak berwenang melakukan tindakan ini.")}
    return response
