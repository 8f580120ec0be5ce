"""The only ways to reach mutual-aid objects, on the one status policy of
`accounts.gates.require_capability`: 404 outside the user's subtrees (never a hint that the
object exists), 403 when visible but the user may not change it. Services call the `require_*`
checks themselves, so pages, API, CLI and tasks get the same answer."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import is_global, scope
from gonghui.core.actor import Actor
from gonghui.core.errors import Forbidden, NotFound
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import Payout, PayoutBatch, Plan, SettlementImport
from gonghui.orgs.models import Org


def _pk(value: int | str) -> int:
    text = str(value)
    if not text.isdigit():
        raise NotFound()
    return int(text)


def require_plan_policy(actor: Actor, plan: Plan) -> None:
    """Changing a plan needs policy.write over the plan's org. A plan is visible wider than its
    org's subtree (it is offered to the unions below and shown to them): a visible plan the
    actor may not change answers 403, an invisible one 404."""
    if has_capability(actor, Capability.POLICY_WRITE, plan.org):
        return
    if selectors.plan_list(viewer=actor).filter(pk=plan.pk).exists():
        raise Forbidden()
    raise NotFound()


def require_org_write(actor: Actor, org: Org | None) -> None:
    """mutualaid.write over `org` (an org of the actor's subtrees); with no org (a person
    without a union) only a global actor may act."""
    if org is None:
        if is_global(actor):
            return
        raise NotFound()
    require_capability(actor, Capability.MUTUALAID_WRITE, org)


def access_plan(user: Any, plan_id: int | str, *, write: bool = False) -> Plan:
    """Plans are visible to the unions they are offered to (the plan's org and its subtree)
    and above; changing one needs policy.write over the plan's org."""
    lookup = {"code": str(plan_id).upper()} if not str(plan_id).isdigit() else {"pk": plan_id}
    plan = selectors.plan_list(viewer=user).filter(**lookup).select_related("org").first()
    if plan is None:
        raise NotFound()
    if write:
        require_plan_policy(user, plan)
    return plan


def access_payout(user: Any, payout_id: int | str, *, write: bool = False) -> Payout:
    queryset = scope(Payout.objects.all(), user, Capability.MUTUALAID_READ,
                     path_field="union_path")
    payout = (queryset.filter(pk=_pk(payout_id))
              .select_related("plan", "plan__org", "version", "person", "union", "enrolment")
              .prefetch_related("settlement").first())
    if payout is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MUTUALAID_WRITE, payout.union)
    return payout


def access_batch(user: Any, batch_id: int | str, *, write: bool = False) -> PayoutBatch:
    queryset = scope(PayoutBatch.objects.all(), user, Capability.MUTUALAID_READ,
                     path_field="org_path")
    batch = queryset.filter(pk=_pk(batch_id)).select_related("org").first()
    if batch is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MUTUALAID_WRITE, batch.org)
    return batch


def access_import(user: Any, import_id: int | str, *, write: bool = False) -> SettlementImport:
    queryset = scope(SettlementImport.objects.all(), user, Capability.MUTUALAID_READ,
                     path_field="org_path")
    source = queryset.filter(pk=_pk(import_id)).select_related("org").first()
    if source is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MUTUALAID_WRITE, source.org)
    return source


def access_union(user: Any, org_id: int | str, *, write: bool = False) -> Org:
    """An org of the user's subtrees, for enrolment (write) or the dashboard (read)."""
    queryset = scope(Org.objects.all(), user, Capability.MUTUALAID_READ)
    text = str(org_id)
    org = queryset.filter(**({"pk": int(text)} if text.isdigit() else {"code": text.upper()})
                          ).first()
    if org is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MUTUALAID_WRITE, org)
    return org
