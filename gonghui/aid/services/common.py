"""Helpers shared by the aid services (internal: not for views)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import is_global, prefixes
from gonghui.aid.models import FileActivity, HardshipFile
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Level, Org, OrgStatus

# Levels that verify a file opened below them (建档核实 by 街道/区县 or higher).
VERIFYING_LEVELS = frozenset({Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT,
                              Level.STREET})


def require_write(actor: Actor, file: HardshipFile) -> None:
    """aid.write over the file's union: 404 outside the actor's subtrees, 403 read-only."""
    require_capability(actor, Capability.AID_WRITE, file.union)


def require_active_org(org: Org) -> None:
    """A merged or dissolved union receives nothing new (files, programmes, standards)."""
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            _("“{org}”已合并或撤销，不能再为其办理新的帮扶事项。").format(org=org.name),
            code="org_inactive",
        )


def can_verify(actor: Actor, file: HardshipFile) -> bool:
    """A street/district (or higher) aid cadre above the file's own union."""
    if is_global(actor):
        return True
    above = [p for p in prefixes(actor, Capability.AID_WRITE)
             if file.union_path.startswith(p) and len(p) < len(file.union_path)]
    return bool(above) and Org.objects.filter(path__in=above, level__in=VERIFYING_LEVELS).exists()


def activity(
    file: HardshipFile,
    kind: str,
    *,
    actor: Actor,
    reason: str = "",
    status_from: str = "",
    status_to: str = "",
    data: dict | None = None,
) -> FileActivity:
    return FileActivity.objects.create(
        file=file, union_id=file.union_id, kind=kind, at=clock.now(),
        actor=actor_user(actor), actor_name=actor_name(actor),
        from_status=status_from, to_status=status_to, reason=reason, data=data or {},
    )


def timeline_writer(kind: str, actor: Actor, reason: str = "", data: dict | None = None
                    ) -> Callable[[HardshipFile, Any, Any], None]:
    """`transition()`'s history writer for a file: the timeline row (with the full reason, up
    to 2000 characters) and the audit row, in the transition's transaction."""
    def write(locked: HardshipFile, old: Any, new: Any) -> None:
        activity(locked, kind, actor=actor, reason=reason, status_from=old, status_to=new,
                 data=data)
        audit(actor, f"aid.file.{kind}", locked, before={"status": old}, after={"status": new},
              note=reason)
    return write


def audit(actor: Actor, action: str, file: HardshipFile, **kwargs: Any) -> None:
    audit_record(actor=actor, action=action, obj=file, org_path=file.union_path,
                 object_repr=file.number or str(file.pk), **kwargs)


def require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写{what}。").format(what=what), code="reason_required",
                               extra={"field": "reason"})
    return reason[:2000]
