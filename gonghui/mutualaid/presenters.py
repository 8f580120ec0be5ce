"""The stored computation of a payout, told in words (pages, portal, API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gonghui.mutualaid.rules import Decline


def _pct(ratio: str) -> str:
    value = (Decimal(ratio) * 100).normalize()
    return f"{value:f}%"


def describe(line: dict[str, Any]) -> str:
    args = line.get("args", {})
    step = line["step"]
    if step == "coverage":
        if args.get("renewal"):
            return _("续保会员，自计划年度首日起保障；入院日期 {admitted}").format(
                admitted=args["admitted_on"])
        return _("参保日期 {enrolled} + 等待期 {days} 天 → {start} 起保障；入院日期 {admitted}").format(
            enrolled=args["enrolled_on"], days=args["waiting_days"], start=args["covered_from"],
            admitted=args["admitted_on"])
    if step == "allowance":
        return _("住院 {days} 天 − 免赔 {free} 天 = {paid} 天 × 每天 {per_day} 元").format(
            days=args["days"], free=args["deductible_days"], paid=args["payable_days"],
            per_day=args["per_day"])
    if step == "lump_sum":
        return _("重大疾病一次性给付")
    if step == "self_paid_base":
        return _("个人自付 {own} 元 − 免赔额 {deductible} 元").format(
            own=args["self_paid"], deductible=args["deductible"])
    if step == "ratio":
        return _("{base} 元 × 给付比例 {ratio}").format(base=args["base"],
                                                     ratio=_pct(args["ratio"]))
    if step == "claim_cap":
        return _("超过单次给付上限 {cap} 元，按上限给付").format(cap=args["cap"])
    if step == "year_left":
        return _("年度上限 {cap} 元 − 本年度已给付 {used} 元 = 尚可给付").format(
            cap=args["cap"], used=args["used"])
    if step == "year_cap":
        return _("按年度剩余额度给付")
    if step == "result":
        return _("给付金额")
    return step


def lines(computation: dict[str, Any]) -> list[dict[str, Any]]:
    """[{text, amount}] for templates and the API."""
    return [{"step": line["step"], "text": describe(line), "amount": line.get("amount")}
            for line in computation.get("lines", [])]


def decline_text(code: str) -> str:
    return str(Decline(code).label) if code in Decline.values else ""
