"""REST API for elections, pairs, support uploads and supporters.

Objects are fetched from the user's visible querysets, so another area's or pair's object is a
404 exactly as on the pages. Errors come out through one handler, in Indonesian.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates import selectors
from candidates.check_text import check_json
from candidates.filters import PairFilter, SupporterFilter
from candidates.models import Pair, Supporter
from candidates.serializers import (
    ElectionOutput,
    PairOutput,
    SupporterOutput,
    SupportUploadInput,
    SupportUploadOutput,
)
from candidates.services import names_read_log, support_upload_submit
from candidates.submission import check_latest
from staff.access import may_see_names


class PairAPIView(APIView):
    """Base of every API view about one pair (URL kwarg `pk`), in this app and the ones above.

    The pair is fetched once from the pairs the user may see (another area's or pair's is a
    404, as on the pages), then DRF's object permissions are checked once against it (403):
    `permission_classes` are rules about (user, pair), below; `ReadOnly | ManagesPair` lets
    every reader of the pair GET and only its managers POST. Without a rule of its own a view
    needs only to see the pair."""

    pair: Pair

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.pair = get_object_or_404(
            selectors.pairs_visible(user=request.user).select_related("election"),
            pk=kwargs["pk"],
        )
        self.check_object_permissions(request, self.pair)


class PairRule(permissions.IsAuthenticated):
    """A rule about the user and the view's pair (DRF object permission); signed in first."""

    def has_object_permission(self, request, view, obj: Pair) -> bool:
        return self.allows(request.user, obj)

    def allows(self, user, pair: Pair) -> bool:
        raise NotImplementedError


class ReadOnly(permissions.BasePermission):
    """GET, HEAD, OPTIONS: for `ReadOnly | Rule`, a rule that guards the writes only."""

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS


class ManagesPair(PairRule):
    """The pair's own team or the KPU running its election (candidates.selectors)."""

    def allows(self, user, pair: Pair) -> bool:
        return selectors.manages_pair(user=user, pair=pair)


class SeesNames(PairRule):
    """Staff whose role may read supporters' names (staff rules)."""

    def allows(self, user, pair: Pair) -> bool:
        return may_see_names(user)


class SeesWholeList(PairRule):
    """Those whose figures are the whole list: the team, the KPU running the election, staff
    above it."""

    def allows(self, user, pair: Pair) -> bool:
        return selectors.sees_whole_list(user=user, pair=pair)


class ElectionList(generics.ListAPIView):
    serializer_class = ElectionOutput

    def get_queryset(self):
        return (
            selectors.elections_visible(user=self.request.user)
            .select_related("region")
            .order_by("-voting_day", "id")
        )


class ElectionDetail(generics.RetrieveAPIView):
    serializer_class = ElectionOutput

    def get_queryset(self):
        return selectors.elections_visible(user=self.request.user).select_related("region")


class PairList(generics.ListAPIView):
    """The pairs the user may see. Filter: election (candidates.filters)."""

    serializer_class = PairOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = PairFilter

    def get_queryset(self):
        qs = selectors.pairs_visible(user=self.request.user).select_related("election")
        return qs.order_by("id")


class PairDetail(generics.RetrieveAPIView):
    serializer_class = PairOutput

    def get_queryset(self):
        return selectors.pairs_visible(user=self.request.user).select_related("election")


class SupportUploadListCreate(generics.ListAPIView):
    """GET: the uploads the user may see. POST (multipart: file, round[, pair]): a new upload."""

    serializer_class = SupportUploadOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.uploads_visible(user=self.request.user).order_by("-id")

    @extend_schema(request=SupportUploadInput, responses={201: SupportUploadOutput})
    def post(self, request):
        data = SupportUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair_id = data.validated_data.get("pair") or selectors.user_pair_id(request.user)
        if pair_id is None:
            raise exceptions.ValidationError({"pair": [_("Pilih bakal pasangan calon.")]})
        pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pair_id)
        if not selectors.may_upload(user=request.user, pair=pair):
            raise PermissionDenied
        f = data.validated_data["file"]
        upload, created = support_upload_submit(
            pair=pair,
            round=data.validated_data["round"],
            file=f,
            original_name=f.name,
            uploaded_by=request.user,
        )
        upload.refresh_from_db()
        body = SupportUploadOutput(upload).data | {"duplicate": not created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SupportUploadDetail(generics.RetrieveAPIView):
    serializer_class = SupportUploadOutput

    def get_queryset(self):
        return selectors.uploads_visible(user=self.request.user)


class SupporterList(PairAPIView, generics.ListAPIView):
    """A pair's supporters the user may see, NIK masked. Filters: round, kelurahan (a region
    code and what lies inside it; candidates.filters)."""

    serializer_class = SupporterOutput
    permission_classes = [SeesNames]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SupporterFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's filters: only the model
            return Supporter.objects.none()
        qs = selectors.supporters_visible(user=self.request.user, pair=self.pair)
        return qs.select_related("kelurahan").order_by("id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        names_read_log(
            user=request.user,
            pair=self.pair,
            what="api-supporter-list",
            rows=len(response.data.get("results", [])),
            page=request.query_params.get("page", "1")[:8],
        )
        return response


class SubmissionCheckDetail(PairAPIView):
    """The count-and-spread check of the pair's initial list in force (penelitian jumlah minimal
    dukungan dan persebaran): as `submission_check --json` prints it; null before any check.
    Pair-wide figures: for those whose figures are the whole list (the team, the KPU running
    the election, staff above it)."""

    permission_classes = [SeesWholeList]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response({"check": check_json(check_latest(pair=self.pair, round=0))})
