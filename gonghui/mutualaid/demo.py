"""Demo mutual aid for `gonghui seed-demo` (the demo.seed hook): the city's four plans for this
year (one amended in July), the members of 黄浦 and 徐汇 unions enrolled in January (contributions
in the ledgers), a medical-insurance settlement file run through the automatic payout, payee
accounts, and one bank batch sent and answered (one transfer refused). The portal account
`worker` sees their payouts. Skips quietly while there are no demo members; idempotent: a second
run adds nothing (the plans exist)."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any, TextIO

from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.testing import synthetic_id_number
from gonghui.members.models import Membership, Person
from gonghui.mutualaid import services
from gonghui.mutualaid.models import BatchItem, Payout, PayoutStatus, Plan
from gonghui.orgs.models import Org

D = Decimal
HOSPITALS = ["上海交通大学医学院附属瑞金医院", "复旦大学附属华山医院", "复旦大学附属中山医院",
             "上海市第一人民医院", "上海市第六人民医院", "黄浦区中心医院", "徐汇区中心医院"]
DISTRICTS = ["SH-HP", "SH-XH"]


def _plans(city: Org, admin: Any, year: int) -> list[Plan]:
    common = {"org": city, "actor": admin, "plan_year": year,
              "year_starts_on": dt.date(year, 1, 1), "year_ends_on": dt.date(year, 12, 31)}
    allowance = services.plan_create(
        code="ZYJT", name="住院津贴互助保障", kind="hospital_allowance",
        description=_("会员住院期间按天给付津贴，无需申请，凭医保结算数据自动给付。"),
        contribution=D("30.00"), waiting_days=90, per_day=D("50.00"), deductible_days=0,
        per_claim_cap=D("1500.00"), per_year_cap=D("3000.00"), **common)
    ratio = services.plan_create(
        code="ZFBZ", name="住院自付医疗费互助保障", kind="self_paid_ratio",
        description=_("住院医疗费用中个人自付部分，超过免赔额后按比例给付。"),
        contribution=D("50.00"), waiting_days=90, deductible=D("500.00"), ratio=D("0.5"),
        per_claim_cap=D("5000.00"), per_year_cap=D("10000.00"),
        auto_approve_limit=D("3000.00"), **common)
    critical = services.plan_create(
        code="ZDJB", name="重大疾病互助保障", kind="critical_illness",
        description=_("确诊重大疾病一次性给付。"), contribution=D("40.00"), waiting_days=180,
        lump_sum=D("10000.00"), per_year_cap=D("10000.00"), auto_approve_limit=D("5000.00"),
        **common)
    accident = services.plan_create(
        code="YWSH", name="意外伤害医疗互助保障", kind="accident",
        description=_("意外伤害住院的个人自付医疗费，无等待期。"), contribution=D("20.00"),
        waiting_days=0, deductible=D("100.00"), ratio=D("0.8"), per_year_cap=D("8000.00"),
        **common)
    services.plan_version_create(
        plan=allowance, plan_year=year, effective_on=dt.date(year, 7, 1), actor=admin,
        note=_("年中调整：每日津贴提高到 60 元"), contribution=D("30.00"), waiting_days=90,
        per_day=D("60.00"), deductible_days=0, per_claim_cap=D("1500.00"),
        per_year_cap=D("3000.00"))
    return [allowance, ratio, critical, accident]


def seed(*, orgs: dict[str, Org], users: dict[str, Any], stdout: TextIO | None = None,
         **_kwargs: Any) -> None:
    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    if Plan.objects.filter(code="ZYJT").exists():
        say("Mutual aid: demo plans already loaded.")
        return
    unions = [o for o in orgs.values() if any(o.code.startswith(d + "-") for d in DISTRICTS)
              and o.level == "grassroots" and o.is_active]
    if not Membership.objects.filter(union__in=unions, status="active").exists():
        say("Mutual aid: no demo members yet, skipped.")
        return
    today = clock.today()
    year = today.year
    rng = random.Random(6)
    plans = _plans(orgs["SH"], users["admin"], year)
    _enrol(plans, unions, users, year)
    rows = _settlement_rows(plans[0], today, rng)
    header = ["结算单号", "身份证号码", "姓名", "医疗机构", "入院日期", "出院日期", "医疗总费用",
              "统筹支付", "个人自付", "类别"]
    content = "\n".join(",".join(r) for r in [header, *rows]).encode("utf-8-sig")
    binary = io.BytesIO(content)
    source = services.settlement_import_create(
        org=orgs["SH"], file_name=f"医保住院结算_{year}{today.month:02d}.csv",
        sha256=services.file_sha256(binary), actor=system_actor("demo"))
    services.settlement_import_run(source=source, binary=binary)
    services.process_queue()
    batch = _pay(orgs["SH"], users["admin"], today, rng)
    payouts = Payout.objects.count()
    say(f"Mutual aid: 4 plans, {len(rows)} settlement records → {payouts} payouts, "
        f"batch {batch.code} ({batch.items_count} transfers, one refused by the bank).")


def _enrol(plans: list[Plan], unions: list[Org], users: dict[str, Any], year: int) -> None:
    enrolled_on = dt.date(year, 1, 6)
    for union in unions:
        actor = users["njdl"] if union.code.startswith("SH-HP-01-") else (
            users["huangpu"] if union.code.startswith("SH-HP") else users["xuhui"])
        for plan in plans:
            if not Membership.objects.filter(union=union, status="active").exists():
                continue
            services.enrol_members(plan=plan, plan_year=year, union=union, actor=actor,
                                   enrolled_on=enrolled_on)


def _settlement_rows(allowance: Plan, today: dt.date, rng: random.Random) -> list[list[str]]:
    """The medical-insurance file: the portal account's three stays, 24 random members'
    stays, and two insured people who are nobody's members."""
    year = today.year
    people = list(Person.objects.filter(mutualaid_enrolments__plan=allowance).distinct()
                  .order_by("id"))
    worker = Person.objects.filter(user__username="worker").first()
    last_day = today - dt.timedelta(days=3)
    rows: list[list[str]] = []

    def stay(person: Any, admitted: dt.date, days: int, own: str, category: str = "疾病") -> None:
        ins = (D(own) * D("2.6")).quantize(D("0.01"))
        discharged = min(admitted + dt.timedelta(days=days), last_day)
        rows.append([f"YB{year}{len(rows) + 1:07d}", person.id_number, person.name,
                     rng.choice(HOSPITALS), admitted.isoformat(), discharged.isoformat(),
                     str(D(own) + ins), str(ins), own, category])

    if worker is not None:
        stay(worker, dt.date(year, 2, 10), 4, "800.00")  # inside the waiting period
        stay(worker, dt.date(year, 5, 12), 6, "3800.00")
        stay(worker, min(dt.date(year, 9, 3), last_day - dt.timedelta(days=9)), 8, "9200.00")
    others = [p for p in people if worker is None or p.pk != worker.pk]
    for person in rng.sample(others, min(24, len(others))):
        month = rng.randrange(2, max(3, today.month))
        admitted = min(dt.date(year, month, rng.randrange(1, 28)), last_day - dt.timedelta(
            days=10))
        category = rng.choice(["疾病"] * 6 + ["意外", "重大疾病"])
        stay(person, admitted, rng.randrange(1, 15), f"{rng.randrange(300, 12000)}.00",
             category)
    for k in range(2):  # insured people who are not members of any union
        outsider = synthetic_id_number(k, region="320102", birth=dt.date(1985, 3, 10))
        rows.append([f"YB{year}9{k:06d}", outsider, "外单位职工", HOSPITALS[0],
                     f"{year}-03-0{k + 2}", f"{year}-03-1{k}", "5000.00", "3500.00", "1500.00",
                     "疾病"])
    return rows


def _pay(city: Org, admin: Any, today: dt.date, rng: random.Random) -> Any:
    """Payee accounts (one member left without), one review, one bank batch sent and
    answered with one transfer refused."""
    paid_people = set(Payout.objects.exclude(status=PayoutStatus.DECLINED)
                      .values_list("person_id", flat=True))
    banks = ["中国工商银行上海市分行", "中国建设银行上海市分行", "交通银行上海市分行",
             "上海农商银行"]
    for n, person in enumerate(Person.objects.filter(pk__in=paid_people).order_by("id")):
        if n == 2:
            continue  # one member without an account yet: the payout waits
        services.payee_account_set(person=person, actor=admin, holder_name=person.name,
                                   bank_name=banks[n % len(banks)],
                                   account_number=f"62220{person.pk:06d}{rng.randrange(10**8):08d}")
    pending = Payout.objects.filter(status=PayoutStatus.PENDING).order_by("id").first()
    if pending is not None:
        services.payout_approve(payout=pending, actor=admin, note=_("核对住院病历无误"))
    batch = services.batch_create(org=city, actor=admin, note=_("演示批次"))
    services.batch_export(batch=batch, actor=admin)
    items = list(BatchItem.objects.filter(batch=batch).order_by("id"))
    lines = ["付款参考号,处理结果,失败原因,银行流水号"]
    for n, item in enumerate(items):
        if n == 1:
            lines.append(f"{item.reference},失败,收款账户已冻结,")
        else:
            lines.append(f"{item.reference},成功,,BK{today:%Y%m%d}{n:05d}")
    services.batch_apply_results(batch=batch, actor=admin,
                                 binary=io.BytesIO("\n".join(lines).encode("utf-8")))
    return batch
