"""Financial statements of one union or rolled up over a subtree, computed in the database from
the maintained month balances (PeriodBalance) and scoped through `scope()`.

Every report is a `Report` (title, columns, rows) so the page, the .xlsx and the PDF show the
same figures from one computation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.core.actor import Actor
from gonghui.funds.chart import CHART_BY_CODE, HEADER_CODES, STANDARD_CHART
from gonghui.funds.models import Budget, Category, PeriodBalance
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org

ZERO = Decimal("0.00")


@dataclass
class Row:
    cells: list[Any]
    level: int = 0  # 0 = first-level / section line, 1 = detail (indented)
    strong: bool = False

    def __post_init__(self) -> None:
        # a negated zero prints as "-0.00": amounts of zero are plain zero
        self.cells = [ZERO if isinstance(c, Decimal) and c == 0 else c for c in self.cells]


@dataclass
class Report:
    kind: str
    title: str
    org: Org
    rollup: bool
    period_label: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    # money columns (index) for formatting; other cells are text
    money_columns: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def scope_label(self) -> str:
        return (_("{name}（含下级汇总）").format(name=self.org.name) if self.rollup
                else self.org.name)


def balances(*, viewer: Actor, org: Org, rollup: bool) -> QuerySet[PeriodBalance]:
    """Month balances of `org`'s own book, or of every book in its subtree."""
    queryset = PeriodBalance.objects.all()
    queryset = (queryset.filter(union__path__startswith=org.path) if rollup
                else queryset.filter(union=org))
    return scope(queryset, viewer, Capability.FUNDS_READ, path_field="union__path")


def _name(code: str) -> str:
    return CHART_BY_CODE.get(code, (code, "", ""))[0]


def _category(code: str) -> str:
    return CHART_BY_CODE.get(code, ("", "", ""))[1]


def _by_code(queryset: QuerySet[PeriodBalance], **sums: Any) -> dict[str, dict[str, Decimal]]:
    rows = queryset.values("account_code").annotate(**sums).order_by()
    return {r["account_code"]: {k: fen(r[k]) for k in sums} for r in rows}


def _first_level(per_code: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = {}
    for code, values in per_code.items():
        target = out.setdefault(code[:4], dict.fromkeys(values, ZERO))
        for k, v in values.items():
            target[k] += v
    return out


def _period_label(year: int, month_from: int, month_to: int) -> str:
    if month_from == 1 and month_to == 12:
        return _("{y} 年度").format(y=year)
    if month_from == month_to:
        return _("{y} 年 {m} 月").format(y=year, m=month_to)
    return _("{y} 年 {a}–{b} 月").format(y=year, a=month_from, b=month_to)


def income_statement(*, viewer: Actor, org: Org, year: int, month_from: int = 1,
                     month_to: int = 12, rollup: bool = False) -> Report:
    """收入支出表: income and spending of the period, by first-level account with the spending
    details, and the year's cumulative figures up to `month_to`."""
    start, end = year * 100 + month_from, year * 100 + month_to
    queryset = balances(viewer=viewer, org=org, rollup=rollup).filter(
        period__gte=year * 100 + 1, period__lte=end).filter(
        Q(account_code__startswith="4") | Q(account_code__startswith="5"))
    per_code = _by_code(
        queryset,
        d=Sum("debit", filter=Q(period__gte=start)), c=Sum("credit", filter=Q(period__gte=start)),
        yd=Sum("debit"), yc=Sum("credit"),
    )
    report = Report(
        kind="income", title=_("收入支出表"), org=org, rollup=rollup,
        period_label=_period_label(year, month_from, month_to),
        columns=[_("项目"), _("科目编码"), _("本期金额"), _("本年累计")], money_columns={2, 3},
    )
    firsts = _first_level(per_code)
    totals = {}
    for category, label, sign in ((Category.INCOME, _("一、收入合计"), -1),
                                  (Category.EXPENSE, _("二、支出合计"), 1)):
        rows: list[Row] = []
        period_total = year_total = ZERO
        for code, name, cat, parent in STANDARD_CHART:
            if cat != category:
                continue
            values = per_code.get(code) if parent else firsts.get(code)
            if not values:
                continue
            amount = sign * (values["d"] - values["c"])
            ytd = sign * (values["yd"] - values["yc"])
            if not amount and not ytd:
                continue
            rows.append(Row([name, code, amount, ytd], level=1 if parent else 0))
            if not parent:
                period_total += amount
                year_total += ytd
        report.rows.append(Row([label, "", period_total, year_total], strong=True))
        report.rows.extend(rows)
        totals[category] = (period_total, year_total)
    surplus = (totals[Category.INCOME][0] - totals[Category.EXPENSE][0],
               totals[Category.INCOME][1] - totals[Category.EXPENSE][1])
    report.rows.append(Row([_("三、收支结余"), "", *surplus], strong=True))
    return report


def trial_balance(*, viewer: Actor, org: Org, year: int, month_from: int = 1, month_to: int = 12,
                  rollup: bool = False) -> Report:
    """科目余额表: for each account, the balance before the period, the period's debits and
    credits, and the closing balance. Total debits equal total credits."""
    start, end = year * 100 + month_from, year * 100 + month_to
    queryset = balances(viewer=viewer, org=org, rollup=rollup).filter(period__lte=end)
    per_code = _by_code(
        queryset,
        od=Sum("debit", filter=Q(period__lt=start)), oc=Sum("credit", filter=Q(period__lt=start)),
        d=Sum("debit", filter=Q(period__gte=start)), c=Sum("credit", filter=Q(period__gte=start)),
    )
    firsts = _first_level(per_code)
    report = Report(
        kind="trial", title=_("科目余额表（试算平衡表）"), org=org, rollup=rollup,
        period_label=_period_label(year, month_from, month_to),
        columns=[_("科目编码"), _("科目名称"), _("期初借方"), _("期初贷方"), _("本期借方"),
                 _("本期贷方"), _("期末借方"), _("期末贷方")],
        money_columns={2, 3, 4, 5, 6, 7},
    )
    sums = [ZERO] * 6
    for code, name, _cat, parent in STANDARD_CHART:
        values = per_code.get(code) if parent else firsts.get(code)
        if not values:
            continue
        opening = values["od"] - values["oc"]
        closing = opening + values["d"] - values["c"]
        cells = [max(opening, ZERO), max(-opening, ZERO), values["d"], values["c"],
                 max(closing, ZERO), max(-closing, ZERO)]
        if not any(cells):
            continue
        report.rows.append(Row([code, name, *cells], level=1 if parent else 0))
        if not parent:
            sums = [a + b for a, b in zip(sums, cells, strict=True)]
    report.rows.append(Row([_("合计"), "", *sums], strong=True))
    balanced = sums[0] == sums[1] and sums[2] == sums[3] and sums[4] == sums[5]
    report.notes.append(_("借贷平衡。") if balanced else _("借贷不平衡！"))
    return report


def _cumulative(viewer: Actor, org: Org, rollup: bool, upto: int) -> dict[str, Decimal]:
    queryset = balances(viewer=viewer, org=org, rollup=rollup).filter(period__lte=upto)
    per_code = _by_code(queryset, d=Sum("debit"), c=Sum("credit"))
    return {code: v["d"] - v["c"] for code, v in _first_level(per_code).items()}


def balance_sheet(*, viewer: Actor, org: Org, year: int, month: int = 12,
                  rollup: bool = False) -> Report:
    """资产负债表 at the end of `month`: assets = liabilities + net assets, where net assets
    include the accumulated income-minus-spending not yet carried to a fund account."""
    opening = _cumulative(viewer, org, rollup, year * 100)
    closing = _cumulative(viewer, org, rollup, year * 100 + month)
    report = Report(
        kind="balance", title=_("资产负债表"), org=org, rollup=rollup,
        period_label=_("{y} 年 {m} 月末").format(y=year, m=month),
        columns=[_("项目"), _("科目编码"), _("年初数"), _("期末数")], money_columns={2, 3},
    )

    def section(category: str, label: str, sign: int) -> tuple[Decimal, Decimal]:
        rows, total_open, total_close = [], ZERO, ZERO
        for code, name, cat, parent in STANDARD_CHART:
            if cat != category or parent:
                continue
            o, c = sign * opening.get(code, ZERO), sign * closing.get(code, ZERO)
            if o or c:
                rows.append(Row([name, code, o, c], level=1))
                total_open += o
                total_close += c
        if category == Category.NET_ASSETS:
            def surplus(values: dict[str, Decimal]) -> Decimal:
                return -sum((v for k, v in values.items() if _category(k) in (
                    Category.INCOME, Category.EXPENSE)), ZERO)
            o, c = surplus(opening), surplus(closing)
            rows.append(Row([_("累计收支结余"), "", o, c], level=1))
            total_open += o
            total_close += c
        report.rows.append(Row([label, "", total_open, total_close], strong=True))
        report.rows.extend(rows)
        return total_open, total_close

    assets = section(Category.ASSET, _("资产合计"), 1)
    liabilities = section(Category.LIABILITY, _("负债合计"), -1)
    net = section(Category.NET_ASSETS, _("净资产合计"), -1)
    report.rows.append(Row([_("负债和净资产合计"), "", liabilities[0] + net[0],
                            liabilities[1] + net[1]], strong=True))
    ok = assets == (liabilities[0] + net[0], liabilities[1] + net[1])
    report.notes.append(_("资产合计等于负债和净资产合计。") if ok else _("资产负债表不平衡！"))
    return report


def budget_vs_actual(*, viewer: Actor, org: Org, year: int, rollup: bool = False,
                     upto: dt.date | None = None) -> Report:
    """预算执行情况: each budgeted first-level account's budget, actual so far and execution %."""
    end = year * 100 + (upto.month if upto and upto.year == year else 12)
    queryset = balances(viewer=viewer, org=org, rollup=rollup).filter(
        period__gte=year * 100 + 1, period__lte=end).filter(
        Q(account_code__startswith="4") | Q(account_code__startswith="5"))
    actual = {code: v["d"] - v["c"] for code, v in _first_level(
        _by_code(queryset, d=Sum("debit"), c=Sum("credit"))).items()}
    budget_qs = Budget.objects.filter(year=year)
    budget_qs = (budget_qs.filter(union__path__startswith=org.path) if rollup
                 else budget_qs.filter(union=org))
    budget_qs = scope(budget_qs, viewer, Capability.FUNDS_READ, path_field="union__path")
    planned = {r["account_code"]: fen(r["s"]) for r in budget_qs.values("account_code")
               .annotate(s=Sum("amount")).order_by()}
    report = Report(
        kind="budget", title=_("预算执行情况表"), org=org, rollup=rollup,
        period_label=_("{y} 年度（截至 {m} 月）").format(y=year, m=end % 100),
        columns=[_("项目"), _("科目编码"), _("预算数"), _("实际数"), _("执行率"), _("剩余预算")],
        money_columns={2, 3, 5},
    )
    for category, label, sign in ((Category.INCOME, _("收入"), -1),
                                  (Category.EXPENSE, _("支出"), 1)):
        report.rows.append(Row([label, "", None, None, "", None], strong=True))
        for code, name, cat, parent in STANDARD_CHART:
            if cat != category or parent or (code not in planned and code not in actual):
                continue
            plan = planned.get(code, ZERO)
            done = sign * actual.get(code, ZERO)
            if not plan and not done and code not in planned:
                continue
            rate = f"{(done / plan * 100):.1f}%" if plan else "—"
            report.rows.append(Row([name, code, plan, done, rate, plan - done], level=1))
    return report


def account_codes_with_details() -> list[tuple[str, str, bool]]:
    return [(code, name, code in HEADER_CODES) for code, name, _c, _p in STANDARD_CHART]
