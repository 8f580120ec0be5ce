"""The only ways to reach mutual-aid objects: 404 outside the user's subtrees (never a hint that
the object exists), 403 when visible but the user may not change it."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.scoping import can, scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import Payout, PayoutBatch, Plan, SettlementImport
from gonghui.orgs.models import Org


def _pk(value: int | str) -> int:
    text = str(value)
    if not text.isdigit():
        raise NotFound()
    return int(text)


def access_plan(user: Any, plan_id: int | str, *, write: bool = False) -> Plan:
    """Plans are visible to the unions they are offered to (the plan's org and its subtree)
    and above; changing one needs policy.write over the plan's org."""
    lookup = {"code": str(plan_id).upper()} if not str(plan_id).isdigit() else {"pk": plan_id}
    plan = selectors.plan_list(viewer=user).filter(**lookup).select_related("org").first()
    if plan is None:
        raise NotFound()
    if write and not can(user, plan.org, "policy.write"):
        raise Forbidden()
    return plan


def access_payout(user: Any, payout_id: int | str, *, write: bool = False) -> Payout:
    queryset = scope(Payout.objects.all(), user, "mutualaid.read", path_field="union_path")
    payout = (queryset.filter(pk=_pk(payout_id))
              .select_related("plan", "plan__org", "version", "settlement", "person", "union",
                              "enrolment").first())
    if payout is None:
        raise NotFound()
    if write and not can(user, payout.union, "mutualaid.write"):
        raise Forbidden()
    return payout


def access_batch(user: Any, batch_id: int | str, *, write: bool = False) -> PayoutBatch:
    queryset = scope(PayoutBatch.objects.all(), user, "mutualaid.read", path_field="org_path")
    batch = queryset.filter(pk=_pk(batch_id)).select_related("org").first()
    if batch is None:
        raise NotFound()
    if write and not can(user, batch.org, "mutualaid.write"):
        raise Forbidden()
    return batch


def access_import(user: Any, import_id: int | str, *, write: bool = False) -> SettlementImport:
    queryset = scope(SettlementImport.objects.all(), user, "mutualaid.read",
                     path_field="org_path")
    source = queryset.filter(pk=_pk(import_id)).select_related("org").first()
    if source is None:
        raise NotFound()
    if write and not can(user, source.org, "mutualaid.write"):
        raise Forbidden()
    return source


def access_union(user: Any, org_id: int | str, *, write: bool = False) -> Org:
    """An org of the user's subtrees, for enrolment (write) or the dashboard (read)."""
    queryset = scope(Org.objects.all(), user, "mutualaid.read")
    text = str(org_id)
    org = queryset.filter(**({"pk": int(text)} if text.isdigit() else {"code": text.upper()})
                          ).first()
    if org is None:
        raise NotFound()
    if write and not can(user, org, "mutualaid.write"):
        raise Forbidden()
    return org
