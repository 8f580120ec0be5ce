from __future__ import annotations

from typing import Any

from gonghui.accounts.scoping import can, scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Org


def access_org(user: Any, org_id: int | str, *, write: bool = False) -> Org:
    """The only way to reach an org: 404 when outside the user's subtrees, 403 when visible but
    the user may not change it. `org_id` is a primary key or an org code."""
    queryset = scope(Org.objects.all(), user, "org.read")
    lookup = {"pk": org_id} if isinstance(org_id, int) or str(org_id).isdigit() else {"code": org_id}
    org = queryset.filter(**lookup).first()
    if org is None:
        raise NotFound()
    if write and not can(user, org, "org.write"):
        raise Forbidden()
    return org
