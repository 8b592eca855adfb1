"""The check for other channels (an SMS or chat gateway, a partner app): the same rules as
the page. A POST, so that no NIK lands in a URL or an access log; no account."""

from __future__ import annotations

import time

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from objections.limits import check_limit_hit, floor_wait, limit_message
from objections.lookup import supports_find
from objections.serializers import CheckInput, CheckOutput


@method_decorator([never_cache, sensitive_post_parameters("nik", "birth_date")], name="dispatch")
class CheckView(APIView):
    """POST {"nik", "birth_date": "YYYY-MM-DD"} -> {"listed", "supports": [{"pair",
    "election", "stage"}]}. "Not listed" and "birth date does not match" are one answer; 429
    with a message in Indonesian when a limit is reached."""

    authentication_classes: list = []  # public: and so no CSRF, no session
    permission_classes = [AllowAny]

    @extend_schema(request=CheckInput, responses={200: CheckOutput})
    def post(self, request):
        started = time.perf_counter()
        limit = check_limit_hit(request)
        if limit is not None:
            return Response(
                {"detail": limit_message(limit)},
                status=429,
                headers={"Retry-After": str(limit.retry_after)},
            )
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        supports = supports_find(
            nik=data.validated_data["nik"], birth_date=data.validated_data["birth_date"]
        )
        body = {
            "listed": bool(supports),
            "supports": [
                {"pair": s.pair, "election": s.election, "stage": s.stage} for s in supports
            ],
        }
        response = Response(body)
        floor_wait(started)
        return response
