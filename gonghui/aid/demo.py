"""Demo data for 困难职工帮扶 (`gonghui seed-demo`, the demo.seed hook): 低保 standards for the
city, a dozen household files in 黄浦区 and 徐汇区 at every stage of their life (draft, waiting
for verification, active in each category, exited and watched, a relapse found), assistance
records and two seasonal programmes.

Built through the services (with the clock moved back for the older history), so every row,
timeline entry and audit record is what real use would have made. Files need demo members: if
there are none yet, this step says so and does nothing; a later run adds them. Idempotent: a
second run adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from gonghui.aid import rules
from gonghui.aid.models import HardshipFile, LocalStandard, Programme
from gonghui.aid.services import files as svc
from gonghui.aid.services import programmes as programmes
from gonghui.aid.services import watch
from gonghui.aid.services.assistance import assistance_record
from gonghui.aid.services.standards import standard_save
from gonghui.core import clock
from gonghui.core.testing import synthetic_id_number
from gonghui.members.models import Membership, MembershipStatus

# (years before this one, 元/人/月): demo figures in the range of the city's recent standards
STANDARDS = [(2, Decimal("1420")), (1, Decimal("1510")), (0, Decimal("1550"))]

# Household plans: union, stage, causes, (relation, name, work, health, education, university
# entry offset), incomes (kind, monthly), extras
HOUSEHOLDS: list[dict[str, Any]] = [
    {"union": "SH-HP-01-01", "stage": "active", "causes": ["illness", "schooling"],
     "members": [("spouse", "刘桂兰", "unable", "serious", "", None),
                 ("child", "王子轩", "student", "healthy", "university", 0)],
     "incomes": [("wage", "2600")], "housing": "rented", "needs": ["medical", "schooling"],
     "note": "配偶尿毒症长期透析，儿子今年考入大学"},
    {"union": "SH-HP-01-01", "stage": "active", "causes": ["single_parent", "low_wage"],
     "members": [("child", "陈思雨", "student", "healthy", "senior", None)],
     "incomes": [("wage", "3900")], "housing": "public", "needs": ["living", "schooling"],
     "note": "单亲母亲，女儿读高中"},
    {"union": "SH-HP-01-02", "stage": "active", "sudden": "家中失火，财物损毁",
     "causes": ["accident"], "members": [("spouse", "赵丽", "employed", "healthy", "", None)],
     "incomes": [("wage", "5200"), ("wage", "4100")], "housing": "owned",
     "needs": ["living", "housing"], "note": "突发火灾致困"},
    {"union": "SH-HP-01-02", "stage": "active", "causes": ["disability", "elder_care"],
     "members": [("parent", "孙秀英", "retired", "chronic", "", None),
                 ("spouse", "周红", "flexible", "disabled", "", None)],
     "incomes": [("wage", "3100"), ("pension", "1700")], "housing": "owned",
     "needs": ["care", "medical"], "note": "配偶肢体残疾二级，赡养老母"},
    {"union": "SH-HP-01-03", "stage": "submitted", "causes": ["unemployment"],
     "members": [("spouse", "吴静", "unemployed", "healthy", "", None),
                 ("child", "吴浩", "student", "healthy", "junior", None)],
     "incomes": [("transfer", "2200")], "housing": "rented", "needs": ["jobs", "living"],
     "note": "夫妻相继失业"},
    {"union": "SH-HP-01-03", "stage": "draft", "causes": ["illness"],
     "members": [("parent", "郑国庆", "retired", "serious", "", None)],
     "incomes": [("wage", "4300"), ("pension", "2100")], "housing": "owned",
     "needs": ["medical"], "note": "父亲癌症化疗"},
    {"union": "SH-HP-02-01", "stage": "exited", "causes": ["unemployment", "schooling"],
     "members": [("spouse", "黄芳", "employed", "healthy", "", None),
                 ("child", "黄一鸣", "student", "healthy", "university", -1)],
     "incomes": [("wage", "2400")], "recovered": [("wage", "7500")], "housing": "rented",
     "needs": ["jobs"], "note": "经春送岗位推荐再就业"},
    {"union": "SH-HP-02-01", "stage": "relapse", "causes": ["illness"],
     "members": [("spouse", "许娟", "employed", "healthy", "", None)],
     "incomes": [("wage", "2000")], "recovered": [("wage", "6000")], "housing": "owned",
     "needs": ["medical"], "note": "脱困后本人再次患病住院"},
    {"union": "SH-XH-01-01", "stage": "active", "causes": ["illness", "low_wage"],
     "members": [("spouse", "马玉兰", "flexible", "chronic", "", None),
                 ("child", "马佳乐", "preschool", "healthy", "", None)],
     "incomes": [("wage", "4200"), ("business", "600")], "housing": "lodging",
     "needs": ["medical", "living"], "note": "配偶慢性病，子女年幼"},
]


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    say = stdout.write if stdout is not None else (lambda _text: None)
    admin = users["admin"]
    today = clock.today()
    for back, line in STANDARDS:
        if not LocalStandard.objects.filter(org=orgs["SH"], year=today.year - back).exists():
            standard_save(org=orgs["SH"], year=today.year - back, monthly_line=line, actor=admin,
                          effective_from=dt.date(today.year - back, 7, 1),
                          source="演示数据（元/人/月）")
    if HardshipFile.objects.filter(union__code__in=[h["union"] for h in HOUSEHOLDS]).exists():
        say("Demo hardship files: already loaded.\n")
        return
    applicants: dict[str, list[Any]] = {}
    for plan in HOUSEHOLDS:
        code = plan["union"]
        if code not in applicants:
            applicants[code] = list(
                Membership.objects.filter(union__code=code, status=MembershipStatus.ACTIVE)
                .select_related("person").order_by("pk"))
    if not any(applicants.values()):
        say("Demo hardship files: skipped — no demo members yet (run seed-demo again after the "
            "member registry is loaded).\n")
        return
    made = [f for f in (_household(plan, applicants, orgs, users, today, n)
                        for n, plan in enumerate(HOUSEHOLDS)) if f is not None]
    _programmes(orgs, users, today)
    say(f"Demo hardship files: {len(made)} households, 2 programmes.\n")


def _pick(applicants: dict[str, list[Any]], code: str) -> Any:
    pool = applicants.get(code) or []
    return pool.pop(0).person if pool else None


def _household(plan: dict[str, Any], applicants: dict[str, list[Any]], orgs: dict[str, Any],
               users: dict[str, Any], today: dt.date, n: int) -> HardshipFile | None:
    person = _pick(applicants, plan["union"])
    if person is None:
        return None
    district = plan["union"][:5]  # SH-HP / SH-XH
    opener = users["njdl"] if plan["union"].startswith("SH-HP-01") else users[
        "huangpu" if district == "SH-HP" else "xuhui"]
    verifier = users["huangpu"] if opener.username != "huangpu" else users["admin"]
    if district == "SH-XH":
        verifier = users["admin"]
    history = plan["stage"] in ("exited", "relapse")
    start = rules.add_months(today, -20 if history else -(2 + n % 8))
    with clock.frozen(start):
        file = svc.file_open(person=person, actor=opener, address=f"上海市{orgs[district].short_name}"
                             f"示范路 {100 + n * 7} 弄 {n + 3} 号 {n + 1}01 室")
        for i, (relation, name, work, health, education, entry) in enumerate(plan["members"]):
            birth = {"spouse": "1983", "child": "2008" if education == "university" else "2012",
                     "parent": "1952"}.get(relation, "1980")
            svc.member_add(
                file=file, actor=opener,
                id_number=synthetic_id_number(n * 10 + i,
                                              birth=dt.date(int(birth), n % 9 + 1, 10 + i)),
                name=name, relation=relation, work=work, health=health, education=education,
                university_entry_year=(today.year + entry) if entry is not None else None)
        for kind, amount in plan["incomes"]:
            svc.income_add(file=file, actor=opener, kind=kind, monthly_amount=Decimal(amount))
        sudden = plan.get("sudden", "")
        svc.file_update(file=file, actor=opener, causes=plan["causes"], housing=plan["housing"],
                        needs=plan["needs"], needs_note=plan["note"], sudden=bool(sudden),
                        sudden_on=start - dt.timedelta(days=10) if sudden else None,
                        sudden_description=sudden)
        if plan["stage"] == "draft":
            return file
        file.refresh_from_db()
        svc.file_submit(file=file, actor=opener, category=file.proposed_category or "relative",
                        note="" if file.proposed_category else "家庭负担重，建议纳入相对困难")
        if plan["stage"] == "submitted":
            return file
    with clock.frozen(start + dt.timedelta(days=5)):
        file = svc.file_verify(file=file, actor=verifier, note="入户核实，情况属实")
        svc.visit_record(file=file, actor=opener, note="入户走访，了解家庭近况和帮扶需求")
        assistance_record(file=file, actor=opener, kind="goods", amount=Decimal("300"),
                          idempotency_key=f"demo-goods-{file.pk}", description="米、油、慰问品")
    if history:
        with clock.frozen(rules.add_months(start, 1)):
            for kind, amount in plan["recovered"]:
                svc.income_add(file=file, actor=opener, kind=kind, monthly_amount=Decimal(amount))
            for income in file.incomes.filter(monthly_amount__lt=Decimal("3000")):
                svc.income_remove(income=income, actor=opener)
            file.refresh_from_db()
            watch.review_record(file=file, actor=opener, category=file.category,
                                note="再就业后收入提高，继续观察", evidence="工资收入证明")
        with clock.frozen(rules.add_months(start, 13)):
            file = watch.file_exit(file=file, actor=opener,
                                   evidence="连续 12 个月家庭人均收入高于困难线，本人稳定就业")
        if plan["stage"] == "relapse":
            with clock.frozen(rules.add_months(start, 19)):
                watch.followup_record(file=file, actor=opener, household_size=2,
                                      monthly_income=Decimal("2600"),
                                      note="本人再次住院，停工数月，仅配偶有收入")
        return file
    if plan["union"].startswith("SH-HP-01"):
        assistance_record(file=file, actor=opener, kind="cash", amount=Decimal("1000"),
                          idempotency_key=f"demo-cash-{file.pk}", description="临时生活救助")
    return file


def _programmes(orgs: dict[str, Any], users: dict[str, Any], today: dt.date) -> None:
    hp = orgs["SH-HP"]
    if Programme.objects.filter(org=hp).exists():
        return
    winter = programmes.programme_create(
        org=hp, actor=users["huangpu"], name=f"{today.year} 年元旦春节送温暖", kind="winter",
        year=today.year, budget=Decimal("20000"), amount_per_household=Decimal("800"),
        assistance_kind="cash", rule="categories", categories=["deep", "relative", "sudden"],
        note="走访慰问在档困难职工家庭")
    programmes.beneficiaries_generate(programme=winter, actor=users["huangpu"])
    programmes.programme_approve(programme=winter, actor=users["admin"], note="同意")
    first = winter.beneficiaries.order_by("union_path", "id").first()
    if first is not None:
        programmes.beneficiary_pay(beneficiary=first, actor=users["huangpu"])
    school = programmes.programme_create(
        org=hp, actor=users["huangpu"], name=f"{today.year} 年金秋助学", kind="autumn_school",
        year=today.year, budget=Decimal("10000"), amount_per_household=Decimal("3000"),
        assistance_kind="school_grant", rule="university_entrants", categories=[],
        note="资助当年考入大学的困难职工子女")
    programmes.beneficiaries_generate(programme=school, actor=users["huangpu"])
