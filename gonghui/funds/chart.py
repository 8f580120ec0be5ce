"""The standard chart of accounts every union's book starts with.

First-level codes and names follow the union accounting system (《工会会计制度》, 财会〔2021〕7号):
1xxx 资产, 2xxx 负债, 3xxx 净资产, 4xxx 收入, 5xxx 支出. Detail accounts (6 digits) under
职工活动支出 and 维权支出 carry the items policy limits and the aid modules need (e.g. festival
gifts 节日慰问, hardship aid 困难职工帮扶). A first-level account with details is a header: only
its details are posted to; reports roll details up to their first level.
"""

from __future__ import annotations

from gonghui.funds.models import Category

A, L, N, INC, E = (Category.ASSET, Category.LIABILITY, Category.NET_ASSETS, Category.INCOME,
                   Category.EXPENSE)  # fmt: skip

# (code, name, category, parent code)
STANDARD_CHART: list[tuple[str, str, str, str]] = [
    ("1001", "库存现金", A, ""),
    ("1002", "银行存款", A, ""),
    ("1101", "短期投资", A, ""),
    ("1201", "应收上级经费", A, ""),
    ("1202", "应收下级经费", A, ""),
    ("1301", "其他应收款", A, ""),
    ("1401", "库存物品", A, ""),
    ("1601", "固定资产", A, ""),
    ("2101", "应付职工薪酬", L, ""),
    ("2201", "应付上级经费", L, ""),
    ("2202", "应付下级经费", L, ""),
    ("2301", "其他应付款", L, ""),
    ("2401", "代管经费", L, ""),
    ("3101", "资产基金", N, ""),
    ("3201", "专用基金", N, ""),
    ("3301", "工会资金结转", N, ""),
    ("3302", "工会资金结余", N, ""),
    ("330201", "本年结余", N, "3302"),
    ("330202", "累计结余", N, "3302"),
    ("4101", "会费收入", INC, ""),
    ("4201", "拨缴经费收入", INC, ""),
    ("4301", "上级补助收入", INC, ""),
    ("4401", "政府补助收入", INC, ""),
    ("4501", "行政补助收入", INC, ""),
    ("4601", "附属单位上缴收入", INC, ""),
    ("4701", "投资收益", INC, ""),
    ("4901", "其他收入", INC, ""),
    ("5101", "职工活动支出", E, ""),
    ("510101", "节日慰问", E, "5101"),
    ("510102", "文体活动", E, "5101"),
    ("510103", "职工教育", E, "5101"),
    ("510104", "会员生日慰问", E, "5101"),
    ("510199", "其他职工活动", E, "5101"),
    ("5201", "职工服务支出", E, ""),
    ("5301", "维权支出", E, ""),
    ("530101", "劳动关系协调", E, "5301"),
    ("530102", "劳动保护", E, "5301"),
    ("530103", "法律援助", E, "5301"),
    ("530104", "困难职工帮扶", E, "5301"),
    ("530105", "送温暖", E, "5301"),
    ("530106", "互助保障给付", E, "5301"),
    ("530107", "互助保障缴费", E, "5301"),
    ("530199", "其他维权支出", E, "5301"),
    ("5401", "业务支出", E, ""),
    ("540101", "培训", E, "5401"),
    ("540102", "会议", E, "5401"),
    ("540199", "其他业务支出", E, "5401"),
    ("5501", "资本性支出", E, ""),
    ("5601", "补助下级支出", E, ""),
    ("5901", "其他支出", E, ""),
]

HEADER_CODES = frozenset(parent for _c, _n, _k, parent in STANDARD_CHART if parent)
CHART_BY_CODE = {code: (name, cat, parent) for code, name, cat, parent in STANDARD_CHART}

# Well-known codes other modules use through the posting service.
BANK = "1002"
CASH = "1001"
PAYABLE_UP = "2201"  # 应付上级经费: the share of the payroll allocation passed up
RECEIVABLE_DOWN = "1202"  # 应收下级经费
OTHER_PAYABLE = "2301"
DUES = "4101"
ALLOCATION = "4201"
SUBSIDY_FROM_ABOVE = "4301"
SUBSIDY_ADMIN = "4501"
OTHER_INCOME = "4901"
SURPLUS_THIS_YEAR = "330201"  # 本年结余: where the year-end closing carries income − spending
SURPLUS_ACCUMULATED = "330202"  # 累计结余: … and then on, into the accumulated surplus
FESTIVAL_GIFTS = "510101"
HARDSHIP_AID = "530104"
WARMTH = "530105"
MUTUAL_AID_PAYOUT = "530106"
MUTUAL_AID_CONTRIBUTION = "530107"

# The income kinds a treasurer enters on the income page, and the five spending categories of
# the grassroots funds rules (基层工会经费收支管理办法) with their postable detail accounts.
INCOME_CODES = ["4101", "4201", "4301", "4501", "4401", "4601", "4701", "4901"]
SPENDING_CATEGORIES: dict[str, list[str]] = {
    "5101": ["510101", "510102", "510103", "510104", "510199"],
    "5301": ["530101", "530102", "530103", "530104", "530105", "530199"],
    "5401": ["540101", "540102", "540199"],
    "5501": ["5501"],
    "5901": ["5901"],
}


def first_level(code: str) -> str:
    return code[:4]
