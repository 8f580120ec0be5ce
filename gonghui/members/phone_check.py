"""Self-registration proves the mobile number (issue 12 item 14): a six-digit code is sent by
SMS (notifications.channels.sms_backend) and typed back before the account is made.

The code is not stored: it is an HMAC of the number and a ten-minute window under the site's
secret key, so any web worker checks it without a table; it stays valid for the window it was
sent in and the next one. How often one browser may ask for a code and how many wrong codes it
may type are counted in its session.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.notifications.channels import sms_backend

WINDOW_SECONDS = 600
RESEND_SECONDS = 60
MAX_WRONG = 5


def _window(offset: int = 0) -> int:
    return int(clock.now().timestamp()) // WINDOW_SECONDS - offset


def phone_code(phone: str, *, offset: int = 0) -> str:
    """The code for `phone` in the current window (offset 1: the previous one)."""
    key = hashlib.sha256(f"{settings.SECRET_KEY}:portal-phone".encode()).digest()
    digest = hmac.new(key, f"{phone}:{_window(offset)}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def send_code(session: Any, phone: str, *, text: str = "") -> str:
    """Text the code to `phone`; refused if this browser asked less than a minute ago. `text`
    (with a `{code}` placeholder) words the message for another purpose than registering."""
    now = int(clock.now().timestamp())
    last = session.get("phone_check_sent", {})
    if last.get("phone") == phone and now - int(last.get("at", 0)) < RESEND_SECONDS:
        raise ApplicationError(_("验证码已发送，请 1 分钟后再重新获取。"), code="code_too_soon",
                               extra={"field": "code"})
    code = phone_code(phone)
    sms_backend().send(phone=phone, text=(text or _("您的智慧工会注册验证码是 {code}，10 分钟内有效。"
                                                   "如非本人操作请忽略。")).format(code=code))
    session["phone_check_sent"] = {"phone": phone, "at": now}
    session["phone_check_wrong"] = 0
    return code


def check_code(session: Any, phone: str, code: str) -> None:
    """Raise unless `code` is this number's code; five wrong codes need a new one."""
    wrong = int(session.get("phone_check_wrong", 0))
    if wrong >= MAX_WRONG:
        raise ApplicationError(_("验证码错误次数过多，请重新获取验证码。"), code="code_locked",
                               extra={"field": "code"})
    typed = (code or "").strip()
    if not typed:
        raise ApplicationError(_("请填写短信验证码（先点“获取验证码”）。"), code="code_required",
                               extra={"field": "code"})
    if any(hmac.compare_digest(typed, phone_code(phone, offset=o)) for o in (0, 1)):
        session["phone_check_wrong"] = 0
        return
    session["phone_check_wrong"] = wrong + 1
    raise ApplicationError(_("验证码不正确或已过期。"), code="code_wrong", extra={"field": "code"})
