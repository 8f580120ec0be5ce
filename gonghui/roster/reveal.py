"""The unmasked read of many rows' ID numbers at once (a revealed export, someone else's error
report), through THE reveal service: capability, a named user, a purpose, logged."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from gonghui.accounts.capabilities import Capability
from gonghui.audit.models import SensitiveRead
from gonghui.audit.services import reveal
from gonghui.core.actor import Actor, actor_user


def reveal_rows(*, actor: Actor, org: Any, subject: models.Model, purpose: str,
                count: int) -> None:
    """Check and log the read of the ID numbers of `count` rows under `org` (404 outside the
    actor's subtrees, 403 without member.reveal, refused for a system actor or without a
    purpose). Call it before the first number is written.

    `audit.services.reveal` logs one read; the row it wrote then gets the row count (the log
    must say how many people's numbers left the system). Until reveal() takes a `count`, that
    is this one UPDATE of the row just written, in the caller's transaction."""
    with transaction.atomic():
        reveal(actor=actor, cap=Capability.MEMBER_REVEAL, org=org, subject=subject,
               field="id_number", value="", purpose=purpose, org_path=org.path)
        latest = SensitiveRead.objects.filter(
            actor=actor_user(actor), field="id_number", subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk)).order_by("-id").values_list("pk", flat=True).first()
        if count != 1 and latest is not None:
            SensitiveRead.objects.filter(pk=latest).update(count=count)
