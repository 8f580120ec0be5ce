"""Access to the statistics and the employer registry: stats.read over an org's subtree for
figures; org.read to see an employer (by its area), employer.write to change one."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.errors import NotFound
from gonghui.orgs.models import Employer, Org


def access_stats_org(user: Any, code: str) -> Org:
    """The org whose figures the user asks for, by code (404 when unknown or outside)."""
    org = Org.objects.filter(code=code.strip()).first()
    if org is None:
        raise NotFound()
    require_capability(user, Capability.STATS_READ, org)
    return org


def access_employer(user: Any, pk: int, *, write: bool = False) -> Employer:
    employer = Employer.objects.select_related("area", "union").filter(pk=pk).first()
    if employer is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.EMPLOYER_WRITE, employer.area, read=Capability.ORG_READ)
    else:
        require_capability(user, Capability.ORG_READ, employer.area)
    return employer
