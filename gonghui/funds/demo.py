"""Demo funds for `gonghui seed-demo` (the demo.seed hook): a year of realistic postings for a
few demo unions — payroll allocations and remittances, dues, subsidies, festival gifts, sports
and training, hardship aid, equipment —, city-wide limits, budgets, closed months, dues lists for
the union with demo members, and one auditor finding. Idempotent: every posting has a demo key,
so a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.base import ContentFile

from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.funds import services
from gonghui.funds.models import (
    AllocationRule,
    ClosedPeriod,
    Finding,
    LedgerTransaction,
    LimitAction,
    LimitKind,
    PolicyLimit,
)
from gonghui.funds.selectors import account_balances
from gonghui.funds.services.rules import active_members
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org

DEMO_UNIONS = ["SH-HP-01-01", "SH-HP-01-02", "SH-HP-01-03", "SH-HP-02-01", "SH-XH-01-01",
               "SH-JR-01"]
FESTIVALS = {1: "春节", 6: "端午节", 9: "中秋节"}


def _invoice_pdf(title: str, amount: Decimal) -> ContentFile:
    """A one-page PDF standing in for an invoice scan (plain PDF syntax, ASCII text)."""
    text = f"DEMO INVOICE  {title}  CNY {amount}".encode("ascii", "replace")
    stream = b"BT /F1 14 Tf 50 750 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return ContentFile(bytes(out), name=f"invoice-{title}.pdf")


def _months(today: dt.date) -> list[dt.date]:
    """The 12 months ending with last month (first days)."""
    first = today.replace(day=1)
    months = []
    for _ in range(12):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))


def _rules(orgs: dict[str, Org], admin: Actor) -> None:
    city = orgs["SH"]
    if not AllocationRule.objects.filter(org=city).exists():
        services.allocation_rule_set(org=city, kept_ratio=Decimal("0.60"), actor=admin,
                                     note="沪工总〔2021〕拨缴经费分成办法：基层留成 60%")
    limits = [
        ("节日慰问品每人每年不超过 500 元", "510101", LimitKind.PER_MEMBER_YEAR, "500.00",
         LimitAction.BLOCK, "基层工会经费收支管理办法 第九条"),
        ("单次文体活动不超过 20,000 元", "510102", LimitKind.PER_ENTRY, "20000.00",
         LimitAction.WARN, "市总工会关于规范基层工会文体活动经费的通知"),
    ]
    for name, code, kind, amount, action, basis in limits:
        if not PolicyLimit.objects.filter(org=city, name=name).exists():
            services.policy_limit_create(org=city, name=name, account_code=code, kind=kind,
                                         amount=Decimal(amount), action=action, basis=basis,
                                         actor=admin)


@dataclass(frozen=True)
class _Month:
    """One demo month of one union: every figure comes from a generator seeded by (union,
    month, event), so a re-run proposes exactly the same postings and the idempotency keys
    absorb them."""

    union: Org
    actor: Actor
    month: dt.date

    def key(self, what: str) -> str:
        return f"demo:{self.union.code}:{self.month:%Y%m}:{what}"

    def day(self, d: int) -> dt.date:
        return self.month.replace(day=min(d, 28))

    def rng(self, what: str) -> random.Random:
        return random.Random(self.key(what))

    def income(self, what: str, d: int, code: str, amount: Decimal, memo: str) -> None:
        services.income_record(union=self.union, date=self.day(d), account_code=code,
                               amount=amount, memo=memo, idempotency_key=self.key(what),
                               actor=self.actor)

    def expense(self, what: str, d: int, code: str, amount: Decimal, memo: str,
                title: str) -> None:
        services.expense_record(union=self.union, date=self.day(d), account_code=code,
                                amount=amount, memo=memo, idempotency_key=self.key(what),
                                actor=self.actor, evidence=_invoice_pdf(title, amount))


def _allocation(m: _Month, employees: int) -> None:
    payroll = Decimal(employees * m.rng("allocation").randrange(7600, 9800, 50))
    services.allocation_record(union=m.union, date=m.day(12),
                               employer_name=m.union.name.removesuffix("工会"), payroll=payroll,
                               idempotency_key=m.key("allocation"), actor=m.actor)
    if m.month.month in (3, 6, 9, 12):
        owed = -account_balances(m.union).get("2201", Decimal("0"))
        # the amount depends on the balance at the time: re-runs skip a remittance made
        done = LedgerTransaction.objects.filter(union=m.union,
                                                idempotency_key=m.key("remit")).exists()
        if owed > 0 and not done:
            services.allocation_remit(union=m.union, date=m.day(25), amount=owed,
                                      idempotency_key=m.key("remit"), actor=m.actor)


def _spending(m: _Month, members: int) -> None:
    month = m.month.month
    if month in FESTIVALS and members:
        # within the city's 500 yuan per member per year (three festivals ≤ 150 each)
        cap = Decimal(members * 150)
        amount = Decimal(m.rng("festival").randrange(int(cap * Decimal("0.6")), int(cap)))
        fest = FESTIVALS[month]
        m.expense("festival", 8, "510101", amount.quantize(Decimal("0.01")),
                  f"{fest}慰问品（{members} 人）", fest)
    if month in (4, 5, 10, 11):
        r = m.rng("sports")
        amount = Decimal(r.randrange(3000, 16000)) + Decimal(r.randrange(100)) / 100
        m.expense("sports", 18, "510102", amount,
                  r.choice(["职工趣味运动会", "职工羽毛球比赛", "春季健步走", "读书分享会"]),
                  "activity")
    if month in (1, 7):
        m.expense("aid", 20, "530104", Decimal(m.rng("aid").randrange(2, 6) * 1000),
                  "困难职工帮扶慰问金", "aid")
    if month in (3, 8):
        m.expense("training", 22, "540101", Decimal(m.rng("training").randrange(1500, 6000)),
                  "工会干部业务培训", "training")
    if month == 5:
        m.expense("equipment", 26, "5501", Decimal("8600.00"), "职工之家健身器材购置",
                  "equipment")


def _union_year(union: Org, actor: Actor, months: list[dt.date]) -> None:
    per_member_dues = _has_members(union)
    employees = max(union.employees_count, 60)
    members = active_members(union)
    head = max(members, employees // 2)
    for i, month in enumerate(months):
        m = _Month(union, actor, month)
        _allocation(m, employees)
        if not per_member_dues or i < len(months) - 3:
            # the union with members keeps per-member dues lists for the last three months
            dues = Decimal(head * m.rng("dues").randrange(30, 55)).quantize(Decimal("0.01"))
            m.income("dues", 15, "4101", dues, f"{month:%Y 年 %m 月}会费（汇总收缴）")
        if month.month == 5:
            m.income("subsidy", 6, "4301", Decimal(m.rng("subsidy").randrange(5, 20) * 1000),
                     "上级工会专项补助（职工之家建设）")
        if month.month == 12:
            m.income("admin_subsidy", 10, "4501",
                     Decimal(m.rng("admin_subsidy").randrange(10, 30) * 1000), "行政补助（年度）")
        _spending(m, members)


def _has_members(union: Org) -> bool:
    return Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE).exists()


def _dues_lists(union: Org, actor: Actor, months: list[dt.date], today: dt.date) -> None:
    if not _has_members(union):
        return
    for k, month in enumerate(months[-3:]):
        dues_list = services.dues_list_generate(union=union, year=month.year, month=month.month,
                                                actor=actor)
        entries = list(dues_list.entries.filter(amount__gt=0).order_by("id")
                       .values_list("pk", flat=True))
        share = (0.95, 0.9, 0.6)[k]
        services.dues_mark_paid(dues_list=dues_list, entry_ids=entries[: int(len(entries) * share)],
                                paid_on=min(month.replace(day=20), today), actor=actor)


def seed_funds(*, orgs: dict[str, Org], users: dict[str, Any], stdout: TextIO | None = None,
               **_: Any) -> None:
    admin = users["admin"]
    today = clock.today()
    months = _months(today)
    _rules(orgs, admin)
    before = LedgerTransaction.objects.count()
    for n, code in enumerate(DEMO_UNIONS):
        union = orgs.get(code)
        if union is None:
            continue
        actor: Actor = (users.get("caiwu") or admin) if code == "SH-HP-01-01" else admin
        fresh = not ClosedPeriod.objects.filter(union=union).exists()
        _union_year(union, actor, months)
        _dues_lists(union, actor, months, today)
        services.budget_set(union=union, year=today.year, actor=actor, amounts={
            "4101": Decimal(60000 + n * 5000), "4201": Decimal(220000 + n * 20000),
            "4301": Decimal(15000), "5101": Decimal(120000 + n * 8000), "5301": Decimal(12000),
            "5401": Decimal(9000), "5501": Decimal(10000),
        })
        if fresh:
            # months up to two months ago are closed (last month is still open for corrections)
            for month in months[:-2]:
                if not ClosedPeriod.objects.filter(union=union, year=month.year,
                                                   month__in=[0, month.month]).exists():
                    services.period_close(union=union, year=month.year, month=month.month,
                                          actor=admin)
    auditor = users.get("auditor")
    union = orgs.get("SH-HP-01-01")
    if auditor is not None and union is not None and not Finding.objects.filter(
            union=union).exists():
        tx = (LedgerTransaction.objects.filter(union=union, source="funds.expense",
                                               memo__contains="慰问品").order_by("-date").first())
        services.finding_add(union=union, tx=tx, severity="issue", actor=auditor,
                             text="慰问品发放名单未附会员签收记录，请补充。")
    if stdout is not None:
        posted = LedgerTransaction.objects.count() - before
        stdout.write(f"Demo funds: {posted} new postings in {len(DEMO_UNIONS)} unions.\n")
