"""TOTP required for the roles that can reveal personal data (issue 13; MLPS 2.0 level 3
8.1.4.1 d: two authentication factors). Setting `GONGHUI_REQUIRE_TOTP_FOR_REVEAL` (on unless
the environment says 0; the test suite turns it off in conftest and on in the tests of this
rule).

Where it holds:
- pages: a signed-in user who holds any reveal capability (member/aid/mutualaid/rights.reveal)
  and has no confirmed authenticator is sent to the enrolment page (accounts:totp) before any
  other page (RequireTotpEnrolmentMiddleware); signing in then asks for the code, and the
  session is OTP-verified (django-otp);
- every unmasked read (audit.services.reveal): refused with 403 `otp_required` unless the
  request's session is OTP-verified, or its API token was issued against a valid code
  (`POST /api/v1/auth/token` with `otp_token`), and with 403 `totp_enrolment_required` for a
  user without an authenticator.
Reads by tasks and commands (no request) are not asked here: a task's starting request is
(a revealing task calls `check_reveal` where it is created, e.g. roster.export_job_create), and a
command runs as the server operator (docs/security.md "Second factor for tasks and commands").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability
from gonghui.core.errors import Forbidden

REVEAL_CAPABILITIES = (Capability.MEMBER_REVEAL, Capability.AID_REVEAL,
                       Capability.MUTUALAID_REVEAL, Capability.RIGHTS_REVEAL)


def required_for_reveal() -> bool:
    return bool(getattr(settings, "GONGHUI_REQUIRE_TOTP_FOR_REVEAL", False))


def can_reveal(user: Any) -> bool:
    """Holds any reveal capability anywhere."""
    return any(has_capability(user, cap) for cap in REVEAL_CAPABILITIES)


def has_device(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # after the app registry

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def verify_code(user: Any, code: str) -> bool:
    """A valid current code of one of `user`'s confirmed authenticators."""
    from django_otp.plugins.otp_totp.models import TOTPDevice  # after the app registry

    code = (code or "").strip()
    return bool(code) and any(d.verify_token(code) for d in
                              TOTPDevice.objects.filter(user_id=user.pk, confirmed=True))


def check_reveal(user: Any) -> None:
    """Refuse an unmasked read by `user` when the rule is on and the request that carries the
    user is not OTP-verified. A user object that came through no request (a task, a command)
    carries no verification state and is not asked."""
    if not required_for_reveal():
        return
    verified = getattr(user, "is_verified", None)
    if not callable(verified):
        return
    if verified():
        return
    if not has_device(user):
        raise Forbidden(_("查看完整的敏感信息须先启用两步验证（动态口令）：请在“两步验证”页面绑定验证器。"),
                        code="totp_enrolment_required")
    raise Forbidden(_("查看完整的敏感信息须经动态口令验证：请退出后用动态口令重新登录"
                      "（API：申请令牌时提交 otp_token）。"), code="otp_required")
