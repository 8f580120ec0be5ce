"""Helpers of the roster tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonghui.core.actor import system_actor
from gonghui.roster import services
from gonghui.roster.models import ImportJob


def run_import(path: Path, org: Any, *, actor: Any = None, dry_run: bool = False,
               chunk_rows: int | None = None, name: str | None = None) -> ImportJob:
    """Register and run an import of `path` into `org`, as `gonghui import-members` does (no
    actor: the operator at the shell)."""
    actor = actor or system_actor("cli")
    job = services.import_job_create(org=org, actor=actor, name=name or path.name, path=path,
                                     origin="cli", dry_run=dry_run)
    return services.import_job_run(job=job, actor=actor, chunk_rows=chunk_rows)


def registry_state() -> dict[str, Any]:
    """Everything an import may change in the member registry."""
    from gonghui.audit.models import AuditEvent
    from gonghui.members.models import (
        Membership,
        MembershipEvent,
        OrgMemberMonth,
        OrgMemberStats,
        Person,
    )

    return {
        "people": sorted(Person.objects.values_list("id_hash", "name", "phone", "member_union_id")),
        "memberships": sorted(Membership.objects.values_list("person__id_hash", "union_id",
                                                             "status", "joined_on")),
        "events": MembershipEvent.objects.count(),
        "stats": sorted(OrgMemberStats.objects.values_list("org_id", "active", "new_employment")),
        "months": sorted(OrgMemberMonth.objects.values_list("org_id", "month", "joins")),
        "audit": AuditEvent.objects.filter(action__startswith="member").count(),
    }
