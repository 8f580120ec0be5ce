"""拨缴经费 across the levels above (分级上解): the passed-up part of a grassroots union's payroll
allocation is split by a federation's ratios for the year among the street, district, city
(and province / national) unions above it, and posted to each receiving union's book in the
same database transaction as the payer's. A level above the top of the tree (e.g. 全总 when
the tree's root is a city federation) is booked by the root as 应付上级经费 (owed on upwards)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError
from gonghui.funds.chart import ALLOCATION, BANK, PAYABLE_UP
from gonghui.funds.models import Book, LedgerTransaction, LevelSplitRule, PeriodBalance
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import (
    chart_ensure,
    post_transaction,
    require_open_book,
    to_amount,
)
from gonghui.funds.services.rules import kept_ratio_for
from gonghui.orgs.models import LEVEL_RANK, Level, Org

FEN = Decimal("0.01")
LEVELS = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET]


def split_by_shares(amount: Decimal, shares: dict[str, Decimal],
                    residue_level: str) -> dict[str, Decimal]:
    """`amount` in proportion to `shares`, each part rounded half up to the fen except the
    residue level's, which takes the exact remainder: the parts always sum to `amount`."""
    total = sum(shares.values(), Decimal("0"))
    parts = {level: (amount * share / total).quantize(FEN, rounding=ROUND_HALF_UP)
             for level, share in shares.items() if level != residue_level}
    parts[residue_level] = amount - sum(parts.values(), Decimal("0.00"))
    return parts


def level_split_set(*, org: Org, year: int, shares: dict[str, Any], residue_level: str,
                    actor: Actor, note: str = "") -> LevelSplitRule:
    """Set the split for `org`'s subtree and `year` (policy.write). The shares (of the whole
    allocation) must sum exactly to the part `org`'s unions pass up (1 − the kept ratio)."""
    require_funds(actor, Capability.POLICY_WRITE, org)
    require_open_book(org)
    clean: dict[str, Decimal] = {}
    for level, value in shares.items():
        if level not in LEVELS:
            raise ApplicationError(_("未知的层级：{level}").format(level=level),
                                   code="bad_level")
        try:
            share = Decimal(str(value))
        except ArithmeticError:
            raise ApplicationError(_("比例格式不正确。"), code="bad_ratio") from None
        if not share.is_finite() or share < 0 or share > 1 or share != share.quantize(
                Decimal("0.0001")):
            raise ApplicationError(_("比例须在 0 到 1 之间，最多四位小数。"), code="bad_ratio")
        if share:
            clean[level] = share
    if residue_level not in clean:
        raise ApplicationError(_("尾差归属必须是分成比例大于零的一级。"), code="bad_residue")
    kept, _rule = kept_ratio_for(org)
    passed_up = Decimal("1") - kept
    if sum(clean.values(), Decimal("0")) != passed_up:
        raise ApplicationError(
            _("各级分成比例合计 {s} 必须等于上解比例 {p}（留成 {k}）。").format(
                s=sum(clean.values(), Decimal("0")), p=passed_up, k=kept), code="shares_sum")
    with transaction.atomic():
        rule, _created = LevelSplitRule.objects.update_or_create(
            org=org, year=year, defaults={
                "shares": {k: str(v) for k, v in clean.items()}, "residue_level": residue_level,
                "note": note[:255], "updated_by": actor_user(actor)})
        audit_record(actor=actor, action="funds.level_split", obj=rule, org_path=org.path,
                     object_repr=f"{org.name} {year}",
                     after={"shares": rule.shares, "residue_level": residue_level})
    return rule


def level_split_for(union: Org, year: int) -> LevelSplitRule | None:
    """The rule of the nearest ancestor-or-self for `year`."""
    paths = [union.path[:i] for i in range(Org.steplen, len(union.path) + 1, Org.steplen)]
    rules = {r.org.path: r for r in LevelSplitRule.objects.filter(
        org__path__in=paths, year=year).select_related("org")}
    for path in reversed(paths):
        if path in rules:
            return rules[path]
    return None


def allocation_remit_levels(*, union: Org, date: dt.date, amount: Decimal,
                            idempotency_key: str, actor: Actor
                            ) -> dict[str, LedgerTransaction]:
    """Pay `amount` of 应付上级经费 up the levels by the year's split. The payer's book: 应付上级
    经费 → bank; each receiving union's: bank ← 拨缴经费收入 (the root, for levels above the
    tree: bank ← 应付上级经费). All postings commit together; books are locked in path order.
    Returns the transactions by org code."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    value = to_amount(amount)
    if value <= 0:
        raise ApplicationError(_("金额必须大于零。"), code="non_positive")
    rule = level_split_for(union, date.year)
    if rule is None:
        raise ApplicationError(_("{y} 年度没有设定分级上解比例。").format(y=date.year),
                               code="no_rule")
    shares = {k: Decimal(v) for k, v in rule.shares.items()}
    parts = split_by_shares(value, shares, rule.residue_level)
    ancestors = list(Org.objects.get_ancestors(union))  # root first
    by_level = {a.level: a for a in ancestors}
    root = ancestors[0] if ancestors else None
    receivers: dict[int, tuple[Org, list[tuple[str, Decimal]]]] = {}
    for level, part in parts.items():
        if not part:
            continue
        target = by_level.get(level)
        account = ALLOCATION
        if target is None:
            if root is None or LEVEL_RANK[level] >= LEVEL_RANK[root.level]:
                raise ApplicationError(_("上级中没有“{level}”一级的工会。").format(
                    level=Level(level).label), code="no_level_union")
            target, account = root, PAYABLE_UP  # above the tree: the root owes it on
        entry = receivers.setdefault(target.pk, (target, []))
        entry[1].extend([(BANK, part), (account, -part)])
    memo = _("分级上解拨缴经费 {amount}").format(amount=value)
    out: dict[str, LedgerTransaction] = {}
    with transaction.atomic():
        books = sorted([union, *(org for org, _l in receivers.values())], key=lambda o: o.path)
        for org in books:
            chart_ensure(org)
            Book.objects.select_for_update().get(union=org)
        owed = -sum((b.debit - b.credit for b in PeriodBalance.objects.filter(
            union=union, account_code=PAYABLE_UP)), Decimal("0.00"))
        if value > owed and not LedgerTransaction.objects.filter(
                union=union, idempotency_key=idempotency_key).exists():
            raise ApplicationError(_("上解金额 {amount} 超过应付上级经费余额 {owed}。").format(
                amount=value, owed=owed), code="over_owed")
        out[union.code] = post_transaction(
            union=union, date=date, memo=memo[:255], lines=[(PAYABLE_UP, value), (BANK, -value)],
            idempotency_key=idempotency_key, actor=actor, source="funds.remit")
        for org, lines in sorted(receivers.values(), key=lambda r: r[0].path):
            out[org.code] = post_transaction(
                union=org, date=date, memo=f"{memo} ← {union.name}"[:255], lines=lines,
                idempotency_key=f"remit-levels:{union.pk}:{idempotency_key}", actor=actor,
                source="funds.remit_in")
    return out
