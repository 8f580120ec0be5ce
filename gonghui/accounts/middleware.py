from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class IdleTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request (absolute expiry is
    SESSION_COOKIE_AGE)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("_gh_last_seen")
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session["_gh_last_seen"] = now
        return self.get_response(request)
