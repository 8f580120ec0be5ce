"""Rules a federation sets for its subtree: the payroll-allocation split and spending limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record, snapshot
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, InvalidTransition
from gonghui.core.money import FEN, format_yuan
from gonghui.core.workflow import transition
from gonghui.funds.chart import CHART_BY_CODE
from gonghui.funds.models import (
    LIMIT_TRANSITIONS,
    AllocationRule,
    LimitAction,
    LimitKind,
    PeriodBalance,
    PolicyLimit,
)
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import require_open_book, to_amount
from gonghui.funds.sums import fen
from gonghui.members.models import OrgMemberStats
from gonghui.orgs.models import Org

DEFAULT_KEPT_RATIO = Decimal("0.6000")  # commonly 60% kept by the grassroots union
ALLOCATION_RATE = Decimal("0.02")  # 工会法 第四十三条: the employer pays 2% of the payroll


def _ancestor_paths(org: Org) -> list[str]:
    return [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]


def kept_ratio_for(union: Org) -> tuple[Decimal, AllocationRule | None]:
    """The share of the allocation `union` keeps: the rule on its nearest ancestor-or-self."""
    rules = {r.org.path: r for r in AllocationRule.objects.filter(
        org__path__in=_ancestor_paths(union)).select_related("org")}
    for path in reversed(_ancestor_paths(union)):
        if path in rules:
            return rules[path].kept_ratio, rules[path]
    return DEFAULT_KEPT_RATIO, None


def allocation_split(payroll: Decimal, kept_ratio: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(total, kept, passed up): total = 2% of payroll to the fen; kept rounds half up and the
    levels above get the exact remainder, so kept + passed up == total always."""
    total = (payroll * ALLOCATION_RATE).quantize(FEN, rounding=ROUND_HALF_UP)
    kept = (total * kept_ratio).quantize(FEN, rounding=ROUND_HALF_UP)
    return total, kept, total - kept


def allocation_rule_set(*, org: Org, kept_ratio: Decimal, note: str,
                        actor: Actor) -> AllocationRule:
    require_funds(actor, Capability.POLICY_WRITE, org)
    require_open_book(org)
    if not Decimal("0") <= kept_ratio <= Decimal("1"):
        raise ApplicationError(_("留成比例必须在 0 到 100% 之间。"), code="bad_ratio")
    with transaction.atomic():
        rule = AllocationRule.objects.select_for_update().filter(org=org).first()
        before = snapshot(rule) if rule else None
        if rule is None:
            rule = AllocationRule(org=org)
        rule.kept_ratio = kept_ratio.quantize(Decimal("0.0001"))
        rule.note = note[:255]
        rule.updated_by = actor_user(actor)
        rule.save()
        audit_record(actor=actor, action="funds.allocation_rule", obj=rule, org_path=org.path,
                     object_repr=f"{org.name} 留成 {rule.kept_ratio}", before=before,
                     after=snapshot(rule))
    return rule


def policy_limit_create(*, org: Org, name: str, account_code: str, kind: str, amount: Decimal,
                        action: str, actor: Actor, basis: str = "") -> PolicyLimit:
    require_funds(actor, Capability.POLICY_WRITE, org)
    require_open_book(org)
    if account_code not in CHART_BY_CODE or CHART_BY_CODE[account_code][1] != "expense":
        raise ApplicationError(_("限额只能设在支出科目上。"), code="bad_account")
    if kind not in LimitKind.values or action not in LimitAction.values:
        raise ApplicationError(_("限额方式或超限处理不正确。"), code="bad_kind")
    amount = to_amount(amount)
    if amount <= 0:
        raise ApplicationError(_("限额必须大于零。"), code="non_positive")
    name = name.strip()
    if not name:
        raise ApplicationError(_("请填写规则名称。"), code="name_required")
    with transaction.atomic():
        limit = PolicyLimit.objects.create(org=org, name=name[:100], account_code=account_code,
                                           kind=kind, amount=amount, action=action,
                                           basis=basis[:255], created_by=actor_user(actor))
        audit_record(actor=actor, action="funds.limit_create", obj=limit, org_path=org.path,
                     after=snapshot(limit))
    return limit


def policy_limit_deactivate(*, limit: PolicyLimit, actor: Actor) -> PolicyLimit:
    """Switch a limit off (LIMIT_TRANSITIONS: active → inactive, never back). Allowed on a
    merged union's rules too: it only lifts a restriction."""
    org = Org.objects.get(pk=limit.org_id)
    require_funds(actor, Capability.POLICY_WRITE, org)
    with transaction.atomic():
        try:
            locked = transition(limit, False, transitions=LIMIT_TRANSITIONS,
                                status_field="is_active", history=False)
        except InvalidTransition:
            raise InvalidTransition(_("规则“{name}”已停用。").format(name=limit.name),
                                    code="limit_inactive") from None
        audit_record(actor=actor, action="funds.limit_deactivate", obj=locked, org_path=org.path,
                     before={"is_active": True}, after={"is_active": False})
    return limit


@dataclass(frozen=True)
class LimitCheck:
    """One limit applied to one proposed entry."""

    limit: PolicyLimit
    cap: Decimal
    used: Decimal
    members: int | None
    amount: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.cap - self.used, Decimal("0.00"))

    @property
    def over(self) -> Decimal:
        return max(self.amount - (self.cap - self.used), Decimal("0.00"))

    @property
    def exceeded(self) -> bool:
        return self.over > 0

    @property
    def blocks(self) -> bool:
        return self.exceeded and self.limit.action == LimitAction.BLOCK

    @property
    def basis_text(self) -> str:
        if self.limit.kind == LimitKind.PER_MEMBER_YEAR:
            return _("每名会员每年 {each} × {n} 名在册会员 = 本年上限 {cap}").format(
                each=format_yuan(self.limit.amount), n=self.members, cap=format_yuan(self.cap))
        if self.limit.kind == LimitKind.PER_ENTRY:
            return _("每笔上限 {cap}").format(cap=format_yuan(self.cap))
        return _("本年上限 {cap}").format(cap=format_yuan(self.cap))

    @property
    def message(self) -> str:
        head = _("规则「{name}」（{org}制定）：{basis}").format(
            name=self.limit.name, org=self.limit.org.short_name or self.limit.org.name,
            basis=self.basis_text)
        if self.limit.kind == LimitKind.PER_ENTRY:
            tail = (_("，本次 {amount} 超出 {over}。").format(
                amount=format_yuan(self.amount), over=format_yuan(self.over))
                if self.exceeded else _("，本次 {amount} 未超出。").format(
                    amount=format_yuan(self.amount)))
            return head + tail
        tail = _("，本年已用 {used}，剩余 {remaining}").format(
            used=format_yuan(self.used), remaining=format_yuan(self.remaining))
        if self.exceeded:
            tail += _("，本次 {amount} 超出 {over}。").format(
                amount=format_yuan(self.amount), over=format_yuan(self.over))
        else:
            tail += _("，本次 {amount} 后剩余 {left}。").format(
                amount=format_yuan(self.amount), left=format_yuan(self.remaining - self.amount))
        return head + tail


def active_members(union: Org) -> int:
    """Active members of `union` itself, from the members registry's maintained counters."""
    stats = OrgMemberStats.objects.filter(org=union).values_list("active", flat=True).first()
    return int(stats or 0)


def _spent_in_year(union: Org, code: str, year: int) -> Decimal:
    row = PeriodBalance.objects.filter(
        union=union, account_code__startswith=code, period__gte=year * 100 + 1,
        period__lte=year * 100 + 12,
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return fen(row["debit"]) - fen(row["credit"])


def policy_check(*, union: Org, account_code: str, amount: Decimal,
                 date: dt.date) -> list[LimitCheck]:
    """Every active limit of `union`'s ancestors (and itself) that covers `account_code`, with
    how much of it is used and left for `date`'s year. Limits on a header (5101) cover its
    details (510101…)."""
    limits = [
        lim for lim in PolicyLimit.objects.filter(
            org__path__in=_ancestor_paths(union), is_active=True).select_related("org")
        if account_code.startswith(lim.account_code)
    ]
    checks: list[LimitCheck] = []
    members: int | None = None
    for lim in sorted(limits, key=lambda x: (x.org.depth, x.pk)):
        if lim.kind == LimitKind.PER_ENTRY:
            checks.append(LimitCheck(lim, lim.amount, Decimal("0.00"), None, amount))
            continue
        used = _spent_in_year(union, lim.account_code, date.year)
        if lim.kind == LimitKind.PER_MEMBER_YEAR:
            if members is None:
                members = active_members(union)
            cap = (lim.amount * members).quantize(FEN)
            checks.append(LimitCheck(lim, cap, used, members, amount))
        else:
            checks.append(LimitCheck(lim, lim.amount, used, None, amount))
    return checks
