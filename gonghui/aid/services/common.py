"""Helpers shared by the aid services (internal: not for views)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can, is_global, prefixes
from gonghui.aid.models import FileActivity, HardshipFile
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.orgs.models import Level, Org

# Levels that verify a file opened below them (建档核实 by 街道/区县 or higher).
VERIFYING_LEVELS = frozenset({Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT,
                              Level.STREET})


def require_write(actor: Any, file: HardshipFile) -> None:
    if not can(actor, file.union, "aid.write"):
        raise Forbidden()


def can_verify(actor: Any, file: HardshipFile) -> bool:
    """A street/district (or higher) aid cadre above the file's own union."""
    if is_global(actor):
        return True
    above = [p for p in prefixes(actor, "aid.write")
             if file.union_path.startswith(p) and len(p) < len(file.union_path)]
    return bool(above) and Org.objects.filter(path__in=above, level__in=VERIFYING_LEVELS).exists()


def actor_name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else str(actor or "system")


def activity(
    file: HardshipFile,
    kind: str,
    *,
    actor: Any,
    reason: str = "",
    status_from: str = "",
    status_to: str = "",
    data: dict | None = None,
) -> FileActivity:
    return FileActivity.objects.create(
        file=file, union_id=file.union_id, kind=kind, at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None, actor_name=actor_name(actor),
        status_from=status_from, status_to=status_to, reason=reason, data=data or {},
    )


def audit(actor: Any, action: str, file: HardshipFile, **kwargs: Any) -> None:
    audit_record(actor=actor, action=action, obj=file, org_path=file.union_path,
                 object_repr=file.number or str(file.pk), **kwargs)


def require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写{what}。").format(what=what), code="reason_required")
    return reason[:2000]
