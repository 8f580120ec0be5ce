"""Worker self-registration for the member portal."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.services import user_create
from gonghui.core.actor import system_actor
from gonghui.core.cells import CellError
from gonghui.core.errors import ApplicationError
from gonghui.members.privacy import NOTICE_VERSION, notice_text
from gonghui.members.services.identity import register_record
from gonghui.members.validation import clean_phone, parse_name


def portal_register(*, name: str, phone: str, password: str, consent: bool = False) -> Any:
    """A worker's own account; the username is their mobile number, which the caller has proven
    with the SMS code (members.phone_check). The password goes through the platform's policy
    (accounts.services.password_check inside user_create). The registration row keeps the
    proven number and the privacy notice agreed to, with its version (PIPL Art. 14, 17).
    The account is linked to a person only once it has proven to be that person
    (members.services.identity)."""
    if not consent:
        raise ApplicationError(_("请阅读并同意个人信息处理规则。"), code="consent_required",
                               extra={"field": "consent"})
    mobile = clean_phone(phone)
    try:
        display = parse_name(name)
    except CellError as exc:
        raise ApplicationError(exc.message, code=exc.code) from None
    actor = system_actor("portal")
    with transaction.atomic():
        user = user_create(username=mobile, password=password, actor=actor,
                           display_name=display, phone=mobile)
        register_record(user=user, phone=mobile, consent_version=NOTICE_VERSION,
                        consent_text=notice_text(), actor=actor)
    return user
