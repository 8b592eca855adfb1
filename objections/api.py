"""The check for other channels (an SMS or chat gateway, a partner app): the same rules as
the page. A POST, so that no NIK lands in a URL or an access log; no account."""

from __future__ import annotations

import time

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from objections.limits import check_gate, floor_wait, limit_message
from objections.lookup import supports_find
from objections.serializers import CheckInput, CheckOutput
from objections.tasks import check_counts_flush_soon
from replica.scope import replica_reads


@method_decorator(
    [never_cache, sensitive_post_parameters("nik", "birth_date", "name")], name="dispatch"
)
class CheckView(APIView):
    """POST {"nik", "birth_date": "YYYY-MM-DD", "name"} -> {"listed", "supports": [{"pair",
    "election", "stage"}]}. "Not listed", "birth date or name does not match" and a lookup
    over one of the caps (objections.limits) are one answer; 429 with a message in Indonesian
    when a rate limit is reached."""

    authentication_classes: list = []  # public: and so no CSRF, no session
    permission_classes = [AllowAny]

    @extend_schema(request=CheckInput, responses={200: CheckOutput})
    def post(self, request):
        started = time.perf_counter()
        try:
            data = CheckInput(data=request.data)
        except ParseError:  # not JSON: counted against the client all the same
            data = None
        valid = data is not None and data.is_valid()
        gate = check_gate(request, nik=data.validated_data["nik"] if valid else None, channel="api")
        if gate.flush:
            check_counts_flush_soon()
        if gate.limit is not None:
            return Response(
                {"detail": limit_message(gate.limit)},
                status=429,
                headers={"Retry-After": str(gate.limit.retry_after)},
            )
        if data is None:
            raise ParseError
        if not valid:
            raise ValidationError(data.errors)  # the API's one error shape (config.api)
        with replica_reads:  # after the gate's writes (Redis): the lookup only reads
            supports = supports_find(
                nik=data.validated_data["nik"],
                birth_date=data.validated_data["birth_date"],
                name=data.validated_data["name"],
            )
        if gate.withheld:  # looked up all the same: a capped answer takes a real one's time
            supports = []
        body = {
            "listed": bool(supports),
            "supports": [
                {"pair": s.pair, "election": s.election, "stage": s.stage} for s in supports
            ],
        }
        response = Response(body)
        floor_wait(started)
        return response
