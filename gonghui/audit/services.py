"""Audit trail writes. Called by every service inside its own transaction, so the audit row
commits or rolls back with the change it describes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core import clock


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
    from gonghui.core.crypto import EncryptedTextField

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


def audit_record(
    *,
    actor: Any,
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
    real_actor = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=real_actor,
        actor_name=(actor.get_username() if real_actor else str(actor or "system"))[:150],
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
    actor: Any,
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
    return SensitiveRead.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if getattr(actor, "pk", None) else str(actor))[:150],
        subject_type=subject_type,
        subject_id=subject_id,
        subject_repr=subject_repr[:255],
        field=field,
        purpose=purpose[:255],
        org_path=org_path,
        count=count,
    )
