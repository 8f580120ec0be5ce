"""Demo members for `gonghui seed-demo` (the demo.seed hook): a few hundred members across the
demo unions — grassroots workers, 两非一无 and new-employment workers in street / park and
industry unions —, some retired and withdrawn, pending applications, one pending transfer, and
the portal account `worker` (a member of SH-HP-01-01). Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any, TextIO

from gonghui.accounts.models import User
from gonghui.core import clock
from gonghui.core.actor import Actor, system_actor
from gonghui.core.testing import synthetic_id_number
from gonghui.members import services
from gonghui.members.models import Application, Membership, Person
from gonghui.orgs.models import Level, Org, OrgType

# The password of every demo account. Defined here, below gonghui.demo in the layer order
# (demo < members would be a cycle): gonghui.demo imports it from this module.
DEMO_PASSWORD = "Gonghui2026!"
WORKER_USERNAME = "worker"
WORKER_NAME = "张晓梅"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建文辉力斌宇浩凯俊峰晨雪琳欣怡子轩梓涵诗雨佳乐思远嘉豪一鸣海燕春梅志刚国庆建华"
# Where workers come from: Shanghai districts (incl. the old 卢湾 310103 and 闸北 310108 codes
# people still carry) and the provinces many migrant workers are from.
REGIONS = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
           "310115", "310103", "310108", "320102", "320583", "330106", "340102", "341221",
           "360102", "410102", "411323", "420102", "430102", "510104", "511602", "500101",
           "612401", "370102", "130102", "220102"]
OCCUPATIONS = [("钳工", "senior"), ("电工", "intermediate"), ("车工", "junior"), ("会计", ""),
               ("工程师", ""), ("营业员", ""), ("厨师", "intermediate"), ("物业管理员", ""),
               ("软件开发", ""), ("仓库管理员", "junior"), ("客服专员", ""), ("保洁员", "")]
NEW_EMPLOYMENT = [
    ("courier", "快递员", "申达快递有限公司"), ("food_delivery", "网约送餐员", "沪通即时配送有限公司"),
    ("truck_driver", "货车司机", "个体运输"), ("domestic", "家政服务员", "阿姨到家家政服务社"),
    ("caregiver", "护工护理员", "申城护理服务中心"), ("security_guard", "保安员", "申安保安服务公司"),
    ("real_estate", "房产中介员", "沪居房地产经纪公司"), ("mall_info", "商场信息员", "百联商场"),
]


def _person(rng: random.Random, seq: int, *, group: str = "", employer: str = "",
            occupation: str = "", skill: str = "") -> dict[str, Any]:
    # working age relative to the clock, so the demo also loads under a test's frozen clock
    birth = clock.today() - dt.timedelta(days=rng.randrange(365 * 20, 365 * 60))
    region = rng.choice(REGIONS)
    number = synthetic_id_number(seq, region=region, birth=birth)
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    migrant = not region.startswith("31")
    return {
        "name": name, "id_number": number,
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "ethnicity": rng.choice(["汉族"] * 18 + ["回族", "满族"]),
        "education": rng.choice(["bachelor", "college", "vocational", "high_school", "junior",
                                 "postgraduate"]),
        "political_status": rng.choice(["masses"] * 6 + ["cpc", "league"]),
        "household_type": "rural" if migrant and rng.random() < .7 else "urban",
        "employment_form": "platform" if group in ("courier", "food_delivery") else
                           ("flexible" if group else rng.choice(["contract"] * 8 + ["dispatch"])),
        "new_employment_group": group, "employer_name": employer,
        "occupation": occupation, "skill_level": skill,
        "monthly_wage": str(rng.randrange(4200, 18000, 50)),
    }


def _joined(rng: random.Random, today: dt.date, birth: dt.date) -> dt.date:
    earliest = max(today - dt.timedelta(days=365 * 20), birth + dt.timedelta(days=365 * 18 + 5))
    span = (today - earliest).days
    if rng.random() < .08:  # some joined this month: the org page's "joins this month"
        return today.replace(day=1) + dt.timedelta(days=rng.randrange(0, today.day))
    return earliest + dt.timedelta(days=rng.randrange(0, max(span, 1)))


def seed_members(*, orgs: dict[str, Org], users: dict[str, Any], stdout: TextIO | None = None,
                 **_kwargs: Any) -> None:
    existing = Person.objects.filter(user__username=WORKER_USERNAME).select_related("user").first()
    if existing is not None:
        users[WORKER_USERNAME] = existing.user  # the demo's accounts include the portal one
        if stdout is not None:
            stdout.write(f"Member portal (/members/portal/): {WORKER_USERNAME} / {DEMO_PASSWORD} "
                         f"— {existing.name} (demo members already loaded)")
        return
    actor = users["admin"]
    rng = random.Random(20260501)
    today = clock.today()
    added: list[Membership] = []

    def add(union: Org, fields: dict[str, Any]) -> Membership:
        birth = dt.datetime.strptime(fields["id_number"][6:14], "%Y%m%d").date()
        joined_on = _joined(rng, today, birth)
        m = services.member_add(union=union, fields=fields, actor=actor,
                                joined_on=joined_on, reason="演示数据")
        added.append(m)
        # most members pay dues monthly; a few have not for a long time (the lapse watch).
        # Never before they joined (issue 12 item 19: "joined today, paid since September").
        if rng.random() < .95:
            paid = max(joined_on, today - dt.timedelta(days=rng.randrange(0, 40)))
            services.membership_touch(membership_id=m.pk, kind="dues", on=paid)
        return m

    seq = _seed_union_members(orgs, rng, add)
    home, card = _seed_portal_worker(orgs, users, rng, actor=actor, today=today)
    _seed_lifecycle(added, rng, actor=actor, home=home)
    _seed_applications(orgs, rng, actor=actor, seq=seq)
    flagged = services.lapse_check(today=today, actor=system_actor("demo"))
    if stdout is not None:
        total = Membership.objects.filter(status__in=["active", "retired"]).count()
        pending = Application.objects.filter(status="submitted").count()
        stdout.write(f"Demo members: {total} holding membership, {pending} pending applications, "
                     f"{flagged} on the lapse watch.")
        stdout.write(f"Member portal (/members/portal/): {WORKER_USERNAME} / {DEMO_PASSWORD} "
                     f"— {WORKER_NAME}, member of {home.code} {home.name}, card {card.card_number}")


def _seed_union_members(orgs: dict[str, Org], rng: random.Random,
                        add: Callable[[Org, dict[str, Any]], Membership]) -> int:
    """Members of every active union, by its kind; returns the last person number used."""
    seq = 0
    for org in orgs.values():
        if not org.is_active:
            continue
        employer = org.name.removesuffix("工会")
        if org.org_type == OrgType.GRASSROOTS:
            for _ in range(rng.randrange(3, 6)):
                seq += 1
                occupation, skill = rng.choice(OCCUPATIONS)
                add(org, _person(rng, seq, employer=employer, occupation=occupation, skill=skill))
        elif org.org_type == OrgType.JOINT or (
            org.level == Level.STREET and org.holds_members
        ):
            # 两非一无 and new-employment workers of the area
            for _ in range(rng.randrange(2, 5)):
                seq += 1
                group, occupation, company = rng.choice(NEW_EMPLOYMENT)
                add(org, _person(rng, seq, group=group, employer=company,
                                 occupation=occupation))
        elif org.org_type == OrgType.TRADE_FEDERATION:
            for _ in range(6):
                seq += 1
                group, occupation, company = rng.choice(NEW_EMPLOYMENT[:2])
                add(org, _person(rng, seq, group=group, employer=company,
                                 occupation=occupation))
    return seq


def _seed_portal_worker(orgs: dict[str, Org], users: dict[str, Any], rng: random.Random, *,
                        actor: Actor, today: dt.date) -> tuple[Org, Membership]:
    """The portal account `worker`, a member of SH-HP-01-01: (its union, its membership)."""
    worker = User.objects.filter(username=WORKER_USERNAME).first()
    if worker is None:
        worker = User(username=WORKER_USERNAME, display_name=WORKER_NAME, phone="13917260512")
        worker.set_password(DEMO_PASSWORD)
        worker.save()
    users[WORKER_USERNAME] = worker
    home = orgs["SH-HP-01-01"]
    fields = _person(rng, 999, employer=home.name.removesuffix("工会"), occupation="客服专员")
    fields.update(name=WORKER_NAME, phone="13917260512",
                  id_number=synthetic_id_number(82, birth="19920512"))
    card = services.member_add(union=home, fields=fields, actor=actor,
                               joined_on=dt.date(2016, 9, 1), reason="演示数据")
    services.membership_touch(membership_id=card.pk, kind="dues", on=today)
    Person.objects.filter(pk=card.person_id).update(user=worker)
    return home, card


def _seed_lifecycle(added: list[Membership], rng: random.Random, *, actor: Actor,
                    home: Org) -> None:
    """A few retired and withdrawn members, and one transfer waiting to be accepted."""
    retired = rng.sample(added, 8)
    for m in retired:
        services.membership_set_status(membership=m, target="retired", actor=actor,
                                       reason="到龄退休")
    for m in rng.sample([m for m in added if m not in retired], 4):
        services.membership_set_status(membership=m, target="withdrawn", actor=actor,
                                       reason="本人申请退会")
    mover = next(m for m in added if m.union.code.startswith("SH-HP-01-02")
                 and Membership.objects.get(pk=m.pk).status == "active")
    services.transfer_start(membership=Membership.objects.get(pk=mover.pk),
                            to_union=home, actor=actor, reason="调入本单位工作",
                            new_employer=home.name.removesuffix("工会"))


def _seed_applications(orgs: dict[str, Org], rng: random.Random, *, actor: Actor,
                       seq: int) -> None:
    """Pending join applications (two by portal-style applicants of a street union)."""
    for code, group in (("SH-HP-01-01", ""), ("SH-HP-01-01", ""), ("SH-HP-01-03", "food_delivery"),
                        ("SH-HP-01", "courier"), ("SH-XH-03", "domestic"),
                        ("SH-KD", "food_delivery")):
        union = orgs.get(code)
        if union is None:
            continue
        seq += 1
        entry = next((e for e in NEW_EMPLOYMENT if e[0] == group), None)
        data = _person(rng, seq, group=group, employer=entry[2] if entry else "",
                       occupation=entry[1] if entry else "行政助理")
        services.application_submit(union=union, fields=data, actor=actor,
                                    basis="新就业形态劳动者" if group else "本单位工会")
