"""Delivery channels besides the in-app inbox: e-mail (Django's e-mail backend) and SMS (an
interface; the default backend only logs). Which channels a kind uses is configuration:

    GONGHUI_NOTIFY_CHANNELS = {"default": [], "notices.objection": ["email"],
                               "mutualaid.payout_failed": ["email", "sms"]}
    GONGHUI_SMS_BACKEND = "gonghui.notifications.channels.LoggingSmsBackend"

The inbox is always written. E-mail and SMS are sent after the caller's transaction commits;
a failure is logged and never reaches the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from gonghui.core.codes import register_codes

log = logging.getLogger("gonghui.notifications")

EMAIL = "email"
SMS = "sms"
KNOWN_CHANNELS = (EMAIL, SMS)


class SmsBackend(Protocol):
    """Sends one text message to one mainland mobile number. Raise on failure."""

    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    """The default: writes the message to the log (no SMS gateway contracted yet)."""

    def send(self, *, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)


_KIND_LABELS: dict[str, Any] = {}


def register_kind(kind: str, label: Any) -> None:
    """What the inbox calls a kind ("aid.review_due" → 困难档案待复核); apps register theirs in
    AppConfig.ready(). An unregistered kind is shown as is. The audit trail reads the same
    words through core.codes."""
    _KIND_LABELS[kind] = label
    register_codes({kind: label})


def kind_label(kind: str) -> str:
    return str(_KIND_LABELS.get(kind, kind))


def sms_backend() -> SmsBackend:
    path = getattr(settings, "GONGHUI_SMS_BACKEND",
                   "gonghui.notifications.channels.LoggingSmsBackend")
    backend: SmsBackend = import_string(path)()
    return backend


def channels_for(kind: str) -> list[str]:
    """The extra channels of `kind`: its own entry, else the "default" entry, else none."""
    config = getattr(settings, "GONGHUI_NOTIFY_CHANNELS", {}) or {}
    chosen = config.get(kind, config.get("default", []))
    return [c for c in chosen if c in KNOWN_CHANNELS]


def deliver_email(*, addresses: Sequence[str], subject: str, text: str) -> int:
    """One message per address (recipients never see each other). Returns how many were sent."""
    sent = 0
    for address in addresses:
        try:
            sent += send_mail(subject, text, None, [address], fail_silently=False)
        except Exception:  # any backend error: logged, never the caller's problem
            log.exception("e-mail to %s failed", address)
    return sent


def deliver_sms(*, phones: Sequence[str], text: str) -> int:
    sent = 0
    try:
        backend = sms_backend()
    except Exception:
        log.exception("SMS backend could not be loaded")
        return 0
    for phone in phones:
        try:
            backend.send(phone=phone, text=text)
            sent += 1
        except Exception:  # a gateway error: logged, never the caller's problem
            log.exception("SMS to %s failed", phone[-4:])
    return sent
