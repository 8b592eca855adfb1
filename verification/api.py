"""REST API for a pair's verification: the recap, and the run's status (POST starts one)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from candidates.api import ManagesPair, PairAPIView, PairRule, ReadOnly
from candidates.models import Pair, Round
from replica.scope import replica_reads
from staff.access import may_see_recap
from verification.models import VerificationRun
from verification.selectors import latest_run, recap_for, run_number
from verification.services import verification_start


class RunOutput(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    number = serializers.SerializerMethodField(help_text=_("nomor putaran pasangan ini: 1, 2, ..."))

    class Meta:
        model = VerificationRun
        fields = [
            "id",
            "number",
            "status",
            "round",
            "progress_percent",
            "started_at",
            "finished_at",
            "counts",
        ]

    def get_number(self, run: VerificationRun) -> int:
        return run_number(run)


class RunStatusOutput(serializers.Serializer):
    run = RunOutput(allow_null=True, help_text=_("null: belum pernah diverifikasi"))


class RunStartInput(serializers.Serializer):
    round = serializers.ChoiceField(choices=Round.choices, required=False, allow_null=True)


class RoundQuery(serializers.Serializer):
    """?round= of the recap and the run: a known round or none (every round). A value that is
    no round is a 400 naming it, as the lists' filters (candidates.filters) answer."""

    round = serializers.ChoiceField(choices=Round.choices, required=False, allow_blank=True)

    @classmethod
    def read(cls, request) -> int | None:
        query = cls(data=request.query_params)
        query.is_valid(raise_exception=True)
        value = query.validated_data.get("round", "")
        return None if value == "" else value


class SeesRecap(PairRule):
    """Staff whose role may read the recap (staff rules)."""

    def allows(self, user, pair: Pair) -> bool:
        return may_see_recap(user)


class RecapView(PairAPIView):
    permission_classes = [SeesRecap]

    @extend_schema(parameters=[RoundQuery], responses={200: OpenApiTypes.OBJECT})
    @replica_reads  # the user and the pair were read in initial(), on the primary
    def get(self, request, pk: int):
        recap = recap_for(user=request.user, pair=self.pair, round=RoundQuery.read(request))
        return Response(recap)


class RunView(PairAPIView):
    # Anyone who sees the pair reads its run; only its managers start one.
    permission_classes = [IsAuthenticated, ReadOnly | ManagesPair]

    @extend_schema(parameters=[RoundQuery], responses={200: RunStatusOutput})
    def get(self, request, pk: int):
        run = latest_run(pair=self.pair, round=RoundQuery.read(request))
        return Response({"run": RunOutput(run).data if run else None})

    @extend_schema(request=RunStartInput, responses={202: RunOutput})
    def post(self, request, pk: int):
        data = RunStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = verification_start(
            pair=self.pair, round=data.validated_data.get("round"), started_by=request.user
        )
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)
