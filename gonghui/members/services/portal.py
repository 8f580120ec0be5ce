"""Worker self-registration for the member portal."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from gonghui.accounts.services import user_create
from gonghui.core.actor import system_actor
from gonghui.core.cells import CellError
from gonghui.core.errors import ApplicationError
from gonghui.members.validation import clean_phone, parse_name


def portal_register(*, name: str, phone: str, password: str) -> Any:
    """A worker's own account; the username is their mobile number. The password goes through
    the platform's policy (accounts.services.password_check inside user_create). The account is
    linked to a person when the worker applies (application_submit)."""
    mobile = clean_phone(phone)
    try:
        display = parse_name(name)
    except CellError as exc:
        raise ApplicationError(exc.message, code=exc.code) from None
    with transaction.atomic():
        return user_create(username=mobile, password=password, actor=system_actor("portal"),
                           display_name=display, phone=mobile)
