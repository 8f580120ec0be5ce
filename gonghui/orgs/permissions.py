from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.errors import NotFound
from gonghui.orgs.models import Org


def access_org(user: Any, org_id: int | str, *, write: bool = False) -> Org:
    """The only way to reach an org: 404 when outside the user's subtrees, 403 when visible but
    the user may not change it (the one policy of `require_capability`). `org_id` is a primary
    key or an org code."""
    text = str(org_id)
    lookup = {"pk": int(text)} if text.isdigit() else {"code": text}
    org = Org.objects.filter(**lookup).first()
    if org is None:
        raise NotFound()
    require_capability(user, Capability.ORG_WRITE if write else Capability.ORG_READ, org)
    return org
