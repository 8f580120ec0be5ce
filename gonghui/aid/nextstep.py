"""Who may act next on a hardship file or a programme, and why not the viewer (issue 12
item 11): the four-eyes rules — the submitter does not verify, a programme's creator does not
approve — are shown before a button refuses, with the names of those who can act."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.roles import CAPABILITIES
from gonghui.aid.models import HardshipFile, Programme
from gonghui.aid.services.common import VERIFYING_LEVELS
from gonghui.aid.services.files import verifier_problem
from gonghui.orgs.models import Org

NAMES_SHOWN = 5


def _ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def holders(*, path: str, cap: Capability, levels: frozenset[str] | None = None,
            strictly_above: bool = False, exclude: frozenset[Any] | set[Any] = frozenset()
            ) -> list[str]:
    """Display names of the users whose role at `path` or above grants `cap` (at `levels`
    only), nearest org first; at most NAMES_SHOWN."""
    roles = [role for role, caps in CAPABILITIES.items() if cap in caps]
    paths = _ancestor_paths(path)
    if strictly_above:
        paths = [p for p in paths if p != path]
    orgs = Org.objects.filter(path__in=paths)
    if levels is not None:
        orgs = orgs.filter(level__in=levels)
    grants = (RoleAssignment.objects.filter(org__in=orgs, role__in=roles, user__is_active=True)
              .select_related("user", "org").order_by("-org__depth", "user__username"))
    names: list[str] = []
    for grant in grants:
        if grant.user_id in exclude:
            continue
        name = f"{grant.user.display_name or grant.user.username}（{grant.org.short_name or grant.org.name}）"
        if name not in names:
            names.append(name)
        if len(names) >= NAMES_SHOWN:
            break
    return names


def file_next(viewer: Any, file: HardshipFile) -> dict[str, Any] | None:
    """For a file waiting for verification: why the viewer may not verify it (None if they
    may) and who may."""
    problem = verifier_problem(viewer, file)
    if problem is None:
        return None
    submitter = (file.activities.filter(kind="submit").order_by("-at", "-id")
                 .values_list("actor_id", flat=True).first())
    return {"why_not": problem.message,
            "who": holders(path=file.union_path, cap=Capability.AID_WRITE,
                           levels=VERIFYING_LEVELS, strictly_above=True, exclude={submitter})}


def programme_next(viewer: Any, programme: Programme) -> dict[str, Any] | None:
    """For a draft programme: why the viewer may not approve it (None if they may) and who
    may (anyone with aid.write over its org but its creator)."""
    if programme.created_by_id is None or programme.created_by_id != getattr(viewer, "pk", None):
        return None
    return {"why_not": _("项目须由创建人以外的人员审批：您创建了这个项目。"),
            "who": holders(path=programme.org.path, cap=Capability.AID_WRITE,
                           exclude={programme.created_by_id})}
