"""The unmasked read of many rows' ID numbers at once (a revealed export, someone else's error
report), through THE reveal service: capability, a named user, a purpose, logged."""

from __future__ import annotations

from typing import Any

from django.db import models

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import reveal
from gonghui.core.actor import Actor


def reveal_rows(*, actor: Actor, org: Any, subject: models.Model, purpose: str,
                count: int) -> None:
    """Check and log the read of the ID numbers of `count` rows under `org` (404 outside the
    actor's subtrees, 403 without member.reveal, refused for a system actor or without a
    purpose). Call it before the first number is written."""
    reveal(actor=actor, cap=Capability.MEMBER_REVEAL, org=org, subject=subject,
           field="id_number", value="", purpose=purpose, org_path=org.path, count=count)
