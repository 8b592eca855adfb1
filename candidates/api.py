"""REST API for elections, pairs, support uploads and supporters.

Objects are fetched from the user's visible querysets, so another area's or pair's object is a
404 exactly as on the pages. Errors come out through one handler, in Indonesian.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import exception_handler

from candidates import selectors
from candidates.serializers import (
    ElectionOutput,
    PairOutput,
    SupporterOutput,
    SupportUploadInput,
    SupportUploadOutput,
)
from electorate.access import is_supervisor, q_within, user_pair_id


def api_exception_handler(exc, context):
    """The one error shape: {"detail": message, "errors": {...}} with Indonesian messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
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


class ApiMixin:
    def get_exception_handler(self):
        return api_exception_handler


class ElectionList(ApiMixin, generics.ListAPIView):
    serializer_class = ElectionOutput

    def get_queryset(self):
        return (
            selectors.elections_visible(user=self.request.user)
            .select_related("region")
            .order_by("-voting_day", "id")
        )


class ElectionDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = ElectionOutput

    def get_queryset(self):
        return selectors.elections_visible(user=self.request.user).select_related("region")


class PairList(ApiMixin, generics.ListAPIView):
    serializer_class = PairOutput

    def get_queryset(self):
        qs = selectors.pairs_visible(user=self.request.user).select_related("election")
        election = self.request.query_params.get("election")
        if election and election.isdigit():
            qs = qs.filter(election_id=int(election))
        return qs.order_by("id")


class PairDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = PairOutput

    def get_queryset(self):
        return selectors.pairs_visible(user=self.request.user).select_related("election")


class SupportUploadListCreate(ApiMixin, generics.ListAPIView):
    """GET: the uploads the user may see. POST (multipart: file, round[, pair]): a new upload."""

    serializer_class = SupportUploadOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.uploads_visible(user=self.request.user).order_by("-id")

    @extend_schema(request=SupportUploadInput, responses={201: SupportUploadOutput})
    def post(self, request):
        data = SupportUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair_id = data.validated_data.get("pair") or user_pair_id(request.user)
        if pair_id is None:
            raise exceptions.ValidationError({"pair": [_("Pilih bakal pasangan calon.")]})
        pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pair_id)
        managed = selectors.pairs_managed(user=request.user).filter(pk=pair.pk).exists()
        if user_pair_id(request.user) != pair.pk and not managed:
            raise PermissionDenied

        from candidates.intake import support_upload_create
        from candidates.tasks import support_upload_task

        f = data.validated_data["file"]
        with transaction.atomic():
            upload, created = support_upload_create(
                pair=pair,
                round=data.validated_data["round"],
                file=f,
                original_name=f.name,
                uploaded_by=request.user,
            )
            # New, or a failed/dead upload of the same file put back to pending: run it.
            if upload.status == upload.Status.PENDING:
                transaction.on_commit(lambda: support_upload_task.delay(upload.pk))
        upload.refresh_from_db()
        body = SupportUploadOutput(upload).data | {"duplicate": not created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SupportUploadDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = SupportUploadOutput

    def get_queryset(self):
        return selectors.uploads_visible(user=self.request.user)


class SupporterList(ApiMixin, generics.ListAPIView):
    """A pair's supporters the user may see, NIK masked. Filters: round, kelurahan (prefix)."""

    serializer_class = SupporterOutput

    def get_queryset(self):
        pair = get_object_or_404(
            selectors.pairs_visible(user=self.request.user), pk=self.kwargs["pk"]
        )
        if is_supervisor(self.request.user):
            raise PermissionDenied
        qs = selectors.supporters_visible(user=self.request.user, pair=pair)
        params = self.request.query_params
        if params.get("round", "").isdigit():
            qs = qs.filter(round=int(params["round"]))
        if params.get("kelurahan"):
            qs = qs.filter(q_within("kelurahan__code", params["kelurahan"]))
        return qs.select_related("kelurahan").order_by("id")
