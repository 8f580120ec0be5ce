"""The only ways to reach funds objects: 404 outside the user's subtrees (for `funds.read`),
403 when visible but the user may not do what is asked (an auditor writing the ledger)."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.scoping import can, scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.funds.models import Evidence, Finding, LedgerTransaction, PolicyLimit
from gonghui.orgs.models import Org


def _lookup(org_id: int | str) -> dict[str, Any]:
    return {"pk": int(org_id)} if isinstance(org_id, int) or str(org_id).isdigit() else {
        "code": str(org_id)}


def access_union(user: Any, org_id: int | str, *, write: bool = False,
                 cap: str = "funds.write") -> Org:
    """A union's book. `write` checks `cap` (funds.write for the ledger, policy.write for
    limits and the allocation split, funds.audit for findings)."""
    org = scope(Org.objects.all(), user, "funds.read").filter(**_lookup(org_id)).first()
    if org is None:
        raise NotFound()
    if write and not can(user, org, cap):
        raise Forbidden()
    return org


def access_transaction(user: Any, tx_id: int, *, write: bool = False) -> LedgerTransaction:
    tx = (scope(LedgerTransaction.objects.all(), user, "funds.read", path_field="union__path")
          .select_related("union").filter(pk=tx_id).first())
    if tx is None:
        raise NotFound()
    if write and not can(user, tx.union, "funds.write"):
        raise Forbidden()
    return tx


def access_evidence(user: Any, evidence_id: int) -> Evidence:
    item = (scope(Evidence.objects.all(), user, "funds.read", path_field="union__path")
            .select_related("union").filter(pk=evidence_id).first())
    if item is None:
        raise NotFound()
    return item


def access_finding(user: Any, finding_id: int, *, write: bool = False,
                   cap: str = "funds.audit") -> Finding:
    finding = (scope(Finding.objects.all(), user, "funds.read", path_field="union__path")
               .select_related("union", "transaction", "created_by").filter(pk=finding_id)
               .first())
    if finding is None:
        raise NotFound()
    if write and not can(user, finding.union, cap):
        raise Forbidden()
    return finding


def access_limit(user: Any, limit_id: int, *, write: bool = False) -> PolicyLimit:
    limit = (scope(PolicyLimit.objects.all(), user, "funds.read", path_field="org__path")
             .select_related("org").filter(pk=limit_id).first())
    if limit is None:
        raise NotFound()
    if write and not can(user, limit.org, "policy.write"):
        raise Forbidden()
    return limit
