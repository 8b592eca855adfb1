"""REST API for a pair's verification: the recap, and the run's status (POST starts one)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates import selectors
from candidates.api import ApiMixin
from candidates.models import Round
from electorate.access import user_area
from verification.selectors import round_param
from verification.views import may_see_recap, recap_for_area


class RunOutput(serializers.Serializer):
    """The run as the engine records it; fields it lacks come out as null."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    round = serializers.IntegerField(allow_null=True, default=None)
    progress_percent = serializers.IntegerField(allow_null=True, default=None)
    started_at = serializers.DateTimeField(allow_null=True, default=None)
    finished_at = serializers.DateTimeField(allow_null=True, default=None)
    counts = serializers.DictField(allow_null=True, default=None)


class RunStatusOutput(serializers.Serializer):
    run = RunOutput(allow_null=True, help_text=_("null: belum pernah diverifikasi"))


class RunStartInput(serializers.Serializer):
    round = serializers.ChoiceField(choices=Round.choices, required=False, allow_null=True)


def run_data(run) -> dict | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "status": run.status,
        "round": getattr(run, "round", None),
        "progress_percent": getattr(run, "progress_percent", None),
        "started_at": getattr(run, "started_at", None),
        "finished_at": getattr(run, "finished_at", None),
        "counts": getattr(run, "counts", None),
    }


class RecapView(ApiMixin, APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pk)
        if not may_see_recap(request.user):
            raise PermissionDenied
        recap = recap_for_area(
            pair=pair,
            round=round_param(request.query_params.get("round")),
            area=user_area(request.user),
        )
        return Response(recap)


class RunView(ApiMixin, APIView):
    @extend_schema(responses={200: RunStatusOutput})
    def get(self, request, pk: int):
        from verification.selectors import latest_run

        pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pk)
        run = latest_run(pair=pair, round=round_param(request.query_params.get("round")))
        return Response({"run": RunOutput(run_data(run)).data if run else None})

    @extend_schema(request=RunStartInput, responses={202: RunOutput})
    def post(self, request, pk: int):
        from verification.engine import admin_verification_start

        pair = get_object_or_404(selectors.pairs_visible(user=request.user), pk=pk)
        if not selectors.pairs_managed(user=request.user).filter(pk=pair.pk).exists():
            raise PermissionDenied
        data = RunStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = admin_verification_start(
            pair=pair, round=data.validated_data.get("round"), started_by=request.user
        )
        return Response(RunOutput(run_data(run)).data, status=status.HTTP_202_ACCEPTED)
