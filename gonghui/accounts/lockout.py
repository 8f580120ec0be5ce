"""Sign-in lockout (django-axes), for the sign-in page and `POST /api/v1/auth/token` alike:
both authenticate through Django, so both are counted and refused here.

Two limits (issue 13 item 10): an account is locked **from one address** after
`AXES_FAILURE_LIMIT` failures (so nobody can lock the city administrator out from elsewhere
with five guesses), and an address is locked for every account after `IP_FAILURE_LIMIT`
failures (so one address cannot guess its way across many accounts)."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def ip_failure_limit() -> int:
    return int(getattr(settings, "GONGHUI_IP_FAILURE_LIMIT", 20))


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout parameter: the failures of
    (username, address) count as they are; those of the address alone are scaled so that
    `IP_FAILURE_LIMIT` of them reach `AXES_FAILURE_LIMIT`. axes compares one number with one
    limit; this keeps its storage, cool-off and reset rules unchanged."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None
                     ) -> int:
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        per_account = int(settings.AXES_FAILURE_LIMIT)
        worst = 0
        for combination, attempts in zip(parameters, self.get_user_attempts(request, credentials),
                                         strict=False):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if combination == "ip_address" or combination == ["ip_address"]:
                count = count * per_account // ip_failure_limit()
            worst = max(worst, count)
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None
                            ) -> int:
        """A successful sign-in clears that account's failures from that address, never the
        address's failures on other accounts: otherwise one valid account would let a guesser
        reset the per-address count at will."""
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        count = 0
        for combination, attempts in zip(parameters, self.filter_user_attempts(
                request, credentials), strict=False):
            if combination == "ip_address" or combination == ["ip_address"]:
                continue
            count += attempts.delete()[0]
        return count
