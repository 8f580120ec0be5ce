from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def mark_signed_in(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """`user_logged_in` receiver: the sign-in counts as the session's last-seen time, so the pages
    of its first minute write nothing (IdleTimeoutMiddleware.TOUCH_SECONDS)."""
    if request is not None and hasattr(request, "session"):
        request.session["_gh_last_seen"] = int(time.time())


class IdleTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request (absolute expiry is
    SESSION_COOKIE_AGE). The last-seen time is written at most once every TOUCH_SECONDS, not on
    every request: a write of the session row per page was one statement in every request
    under load (docs/scale.md), and idle expiry to the minute is what the rule needs."""

    TOUCH_SECONDS = 60

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("_gh_last_seen")
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif last is None or now - int(last) >= self.TOUCH_SECONDS:
                request.session["_gh_last_seen"] = now
        return self.get_response(request)


class RequireTotpEnrolmentMiddleware:
    """With GONGHUI_REQUIRE_TOTP_FOR_REVEAL on, a user who can reveal personal data and has no
    authenticator yet is sent to enrol one before any other page (accounts.second_factor).
    The API is not redirected: its reveals answer 403 `totp_enrolment_required`."""

    EXEMPT_PREFIXES = ("/static/", "/media/", "/api/", "/i18n/", "/favicon")

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from gonghui.accounts import second_factor  # models: after the app registry

        user = request.user
        if (second_factor.required_for_reveal() and user.is_authenticated
                and not request.session.get("_gh_totp_ok")
                and not request.path.startswith(self.EXEMPT_PREFIXES)):
            enrol = reverse("accounts:totp")
            if request.path in (enrol, reverse("accounts:logout")):
                return self.get_response(request)
            if second_factor.has_device(user) or not second_factor.can_reveal(user):
                request.session["_gh_totp_ok"] = True
            else:
                messages.warning(request, _("您的角色可以查看完整的身份证号码或银行账号，"
                                            "须先绑定验证器（两步验证）后才能继续使用。"))
                return redirect(enrol)
        return self.get_response(request)
