"""Audit trail writes. Called by every service inside its own transaction, so the audit row
commits or rolls back with the change it describes."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from gonghui.accounts import second_factor
from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit import chain
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.crypto import EncryptedTextField
from gonghui.core.errors import ApplicationError, Forbidden


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Plain values of a model's concrete fields (FKs as ids); protected fields never included."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if isinstance(field, EncryptedTextField):
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_batch() -> contextlib.AbstractContextManager[None]:
    """Many audited writes in one transaction (a bulk job's slice): the day's chain head is
    locked once and written back once (`chain.batched`). Enter it inside `transaction.atomic`;
    wrap each part that may roll back to its savepoint in `audit_batch_row()`."""
    return chain.batched()


def audit_batch_row() -> contextlib.AbstractContextManager[None]:
    """One part of an `audit_batch()`: on an exception the chain heads go back to where it
    found them (its rows were rolled back with its savepoint)."""
    return chain.batch_row()


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    return chain.append(
        chain.AUDIT,
        at=clock.now(),
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        org_path=org_path,
        before={k: _jsonable(v) for k, v in before.items()} if before else None,
        after={k: _jsonable(v) for k, v in after.items()} if after else None,
        note=note[:500],
    )


def sensitive_read_record(
    *,
    actor: Actor,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str = "",
    subject_repr: str = "",
    field: str,
    purpose: str,
    org_path: str = "",
    count: int = 1,
) -> SensitiveRead:
    """Log an unmasked read. The caller reveals the value only after this returns."""
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or str(subject.pk)
        subject_repr = subject_repr or str(subject)[:255]
    return chain.append(
        chain.SENSITIVE,
        at=clock.now(),
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        subject_type=subject_type,
        subject_id=subject_id,
        subject_repr=subject_repr[:255],
        field=field,
        purpose=purpose[:255],
        org_path=org_path,
        count=count,
    )


def reveal(
    *,
    actor: Actor,
    cap: Capability,
    org: Any,
    subject: models.Model,
    field: str,
    value: str | Callable[[], str],
    purpose: str,
    org_path: str = "",
    count: int = 1,
) -> str:
    """THE unmasked read of a protected field (ID number, bank account). Checks that `actor`
    holds `cap` over `org` (404 outside the subtree, 403 visible but not allowed), requires a
    purpose and a real user (PIPL: who, whose, when, why), logs the read, then returns the clear
    value. Views ask the user for the purpose; exports pass one for the whole file, with `count`
    the number of values revealed at once (a bank file, a household's members).

        number = reveal(actor=request.user, cap=Capability.MEMBER_REVEAL, org=m.union,
                        subject=m.person, field="id_number", value=lambda: m.person.id_number,
                        purpose=form.cleaned_data["purpose"])
    """
    require_capability(actor, cap, org)
    if actor_user(actor) is None:
        raise Forbidden(_("查看完整的敏感信息须以具名用户身份进行。"), code="reveal_needs_user")
    second_factor.check_reveal(actor_user(actor))
    purpose = (purpose or "").strip()
    if not purpose:
        raise ApplicationError(_("请填写查看完整信息的用途。"), code="purpose_required")
    sensitive_read_record(actor=actor, subject=subject, field=field, purpose=purpose,
                          org_path=org_path or getattr(org, "path", ""), count=count)
    return value() if callable(value) else value
