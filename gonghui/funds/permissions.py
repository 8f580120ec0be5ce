"""The only ways to reach funds objects, through the one gate (`accounts.gates`): 404 outside
the user's `funds.read` subtrees, 403 when visible but the user may not do what is asked (an
auditor writing the ledger). Visibility is always `funds.read`, also for the capabilities whose
own read partner is another (policy.write: the limits page is a funds page)."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.actor import Actor
from gonghui.core.colocated import select_related_in_union
from gonghui.core.errors import NotFound
from gonghui.funds.models import (
    BankMatch,
    BankStatement,
    DuesEntry,
    DuesList,
    Evidence,
    Finding,
    LedgerTransaction,
    PolicyLimit,
    YearCloseRun,
)
from gonghui.orgs.models import Org

READ = Capability.FUNDS_READ


def _lookup(org_id: int | str) -> dict[str, Any]:
    return {"pk": int(org_id)} if isinstance(org_id, int) or str(org_id).isdigit() else {
        "code": str(org_id)}


def require_funds(user: Actor, cap: Capability, org: Org, message: str = "") -> None:
    """`cap` over `org`, with funds visibility deciding 404 against 403. Services call it."""
    require_capability(user, cap, org, read=READ, message=message)


def _visible(queryset: Any, user: Actor, path_field: str) -> Any:
    return scope(queryset, user, READ, path_field=path_field)


def access_union(user: Actor, org_id: int | str, *, write: bool = False,
                 cap: Capability = Capability.FUNDS_WRITE) -> Org:
    """A union's book. `write` checks `cap` (funds.write for the ledger, policy.write for
    limits and the allocation split, funds.audit for findings)."""
    org = _visible(Org.objects.all(), user, "path").filter(**_lookup(org_id)).first()
    if org is None:
        raise NotFound()
    if write:
        require_funds(user, cap, org)
    return org


def access_transaction(user: Actor, tx_id: int, *, write: bool = False) -> LedgerTransaction:
    tx = (_visible(LedgerTransaction.objects.all(), user, "union__path")
          .select_related("union").filter(pk=tx_id).first())
    if tx is None:
        raise NotFound()
    if write:
        require_funds(user, Capability.FUNDS_WRITE, tx.union)
    return tx


def access_evidence(user: Actor, evidence_id: int) -> Evidence:
    item = (_visible(Evidence.objects.all(), user, "union__path")
            .select_related("union").filter(pk=evidence_id).first())
    if item is None:
        raise NotFound()
    return item


def access_finding(user: Actor, finding_id: int, *, write: bool = False,
                   cap: Capability = Capability.FUNDS_AUDIT) -> Finding:
    finding = select_related_in_union(
        _visible(Finding.objects.all(), user, "union__path")
        .select_related("union", "created_by"), "transaction").filter(pk=finding_id).first()
    if finding is None:
        raise NotFound()
    if write:
        require_funds(user, cap, finding.union)
    return finding


def access_limit(user: Actor, limit_id: int, *, write: bool = False) -> PolicyLimit:
    limit = (_visible(PolicyLimit.objects.all(), user, "org__path")
             .select_related("org").filter(pk=limit_id).first())
    if limit is None:
        raise NotFound()
    if write:
        require_funds(user, Capability.POLICY_WRITE, limit.org)
    return limit


def access_dues_list(user: Actor, union: Org, list_id: int) -> DuesList:
    """A dues list of `union` (reached through access_union); another union's list is 404."""
    dues_list = DuesList.objects.filter(pk=list_id, union=union).first()
    if dues_list is None:
        raise NotFound()
    return dues_list


def access_dues_entry(user: Actor, entry_id: int, *, write: bool = False) -> DuesEntry:
    entry = (_visible(DuesEntry.objects.all(), user, "union__path")
             .select_related("union", "dues_list").filter(pk=entry_id).first())
    if entry is None:
        raise NotFound()
    if write:
        require_funds(user, Capability.FUNDS_WRITE, entry.union)
    return entry


def access_statement(user: Actor, statement_id: int, *, write: bool = False) -> BankStatement:
    """A bank statement of a union the user may read (404 otherwise); `write` checks
    funds.write (importing, matching)."""
    statement = (_visible(BankStatement.objects.all(), user, "union__path")
                 .select_related("union").filter(pk=statement_id).first())
    if statement is None:
        raise NotFound()
    if write:
        require_funds(user, Capability.FUNDS_WRITE, statement.union)
    return statement


def access_match(user: Actor, match_id: int) -> BankMatch:
    """A bank match, to undo it: funds.write over its union."""
    match = (_visible(BankMatch.objects.all(), user, "union__path")
             .select_related("union").filter(pk=match_id).first())
    if match is None:
        raise NotFound()
    require_funds(user, Capability.FUNDS_WRITE, match.union)
    return match


def access_run(user: Actor, run_id: int) -> YearCloseRun:
    run = (_visible(YearCloseRun.objects.all(), user, "org__path")
           .select_related("org").filter(pk=run_id).first())
    if run is None:
        raise NotFound()
    return run
