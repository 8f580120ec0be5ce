"""The demo federation: a city federation modelled on the seed city (上海), its 16 real districts,
a few industry unions, real streets / towns / parks under the districts and grassroots unions under
those, with valid USCCs, plus demo users at every level. Idempotent: loading twice adds nothing.
"""

from __future__ import annotations

from typing import Any, TextIO

from django.db import transaction

from gonghui.accounts.models import RoleAssignment, User
from gonghui.core import hooks
from gonghui.members.demo import DEMO_PASSWORD
from gonghui.orgs.models import Employer, Level, Org, OrgType
from gonghui.orgs.validation import make_uscc

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "seed_demo"]

CITY = ("SH", "上海市总工会", "市总工会", "310000")

# (code, district, region code, [(street, type)...])
DISTRICTS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("HP", "黄浦区", "310101", [("南京东路街道", "street"), ("外滩街道", "street"), ("瑞金二路街道", "street")]),
    ("XH", "徐汇区", "310104", [("徐家汇街道", "street"), ("田林街道", "street"), ("漕河泾新兴技术开发区", "park")]),
    ("CN", "长宁区", "310105", [("华阳路街道", "street"), ("虹桥街道", "street"), ("新泾镇", "town")]),
    ("JA", "静安区", "310106", [("南京西路街道", "street"), ("静安寺街道", "street"), ("大宁路街道", "street")]),
    ("PT", "普陀区", "310107", [("长寿路街道", "street"), ("真如镇街道", "street"), ("桃浦镇", "town")]),
    ("HK", "虹口区", "310109", [("四川北路街道", "street"), ("北外滩街道", "street"), ("江湾镇街道", "street")]),
    ("YP", "杨浦区", "310110", [("五角场街道", "street"), ("控江路街道", "street"), ("长白新村街道", "street")]),
    ("MH", "闵行区", "310112", [("江川路街道", "street"), ("莘庄镇", "town"), ("紫竹高新技术产业开发区", "park")]),
    ("BS", "宝山区", "310113", [("友谊路街道", "street"), ("吴淞街道", "street"), ("大场镇", "town")]),
    ("JD", "嘉定区", "310114", [("嘉定镇街道", "street"), ("安亭镇", "town"), ("南翔镇", "town")]),
    ("PD", "浦东新区", "310115", [("陆家嘴街道", "street"), ("张江镇", "town"), ("金桥镇", "town")]),
    ("JS", "金山区", "310116", [("石化街道", "street"), ("朱泾镇", "town"), ("枫泾镇", "town")]),
    ("SJ", "松江区", "310117", [("岳阳街道", "street"), ("九亭镇", "town"), ("松江工业区", "park")]),
    ("QP", "青浦区", "310118", [("夏阳街道", "street"), ("徐泾镇", "town"), ("朱家角镇", "town")]),
    ("FX", "奉贤区", "310120", [("西渡街道", "street"), ("南桥镇", "town"), ("奉城镇", "town")]),
    ("CM", "崇明区", "310151", [("城桥镇", "town"), ("堡镇", "town"), ("陈家镇", "town")]),
]  # fmt: skip

INDUSTRY_UNIONS: list[tuple[str, str, str, str, list[str]]] = [
    ("JR", "上海市金融工会", "金融工会", "金融业", ["浦江商业银行股份有限公司", "申城证券有限责任公司"]),
    ("JJ", "上海市建设交通工会", "建交工会", "交通运输业", ["申通地铁运营有限公司", "沪城建工集团有限公司"]),
    ("JY", "上海市教育工会", "教育工会", "教育", ["海上理工大学", "沪东中学"]),
    ("KD", "上海市邮政快递行业工会联合会", "快递行业工会联合会", "邮政快递业", ["申达快递有限公司", "沪通即时配送有限公司"]),
]  # fmt: skip

COMPANY_WORDS = [
    ("精密机械", "制造业"), ("智能科技", "信息技术"), ("物业管理", "房地产业"),
    ("餐饮管理", "住宿和餐饮业"), ("物流", "交通运输业"), ("医疗器械", "制造业"),
    ("软件", "信息技术"), ("家政服务", "居民服务业"), ("商贸", "批发和零售业"),
]

_TYPE = {"street": OrgType.STREET, "town": OrgType.TOWN, "park": OrgType.PARK}

# username, display name, role, org code
DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("admin", "市总管理员", "admin", "SH"),
    ("auditor", "市总经审委员", "auditor", "SH"),
    ("huangpu", "黄浦区总工会干部", "admin", "SH-HP"),
    # a second 黄浦 cadre: the four-eyes rules (a programme's creator does not approve it)
    # need someone else in the district to approve 黄浦's programmes (issue 12 item 11)
    ("hpbangfu", "黄浦区总工会帮扶中心主任", "cadre", "SH-HP"),
    ("xuhui", "徐汇区总工会干部", "admin", "SH-XH"),
    ("njdl", "南京东路街道工会干部", "cadre", "SH-HP-01"),
    ("jichen", "基层工会主席", "registrar", "SH-HP-01-01"),
    ("caiwu", "基层工会财务", "treasurer", "SH-HP-01-01"),
]


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _org(parent: Org | None, **fields: Any) -> Org:
    existing = Org.objects.filter(code=fields["code"]).first()
    if existing is not None:
        return existing
    org = Org(**fields)
    if parent is None:
        return Org.objects.add_root(instance=org)
    return Org.objects.add_child(Org.objects.get(pk=parent.pk), instance=org)


def load_orgs() -> dict[str, Org]:
    """The org tree, built directly (this is data loading, not a cadre's edit): no audit rows."""
    seq = _Counter()
    orgs: dict[str, Org] = {}

    def union_uscc(region: str) -> str:
        return make_uscc(f"81{region}{seq.next():09d}")

    code, name, short, region = CITY
    city = _org(None, code=code, name=name, short_name=short, level=Level.CITY,
                org_type=OrgType.FEDERATION, uscc=union_uscc(region), region="上海市",
                address="上海市黄浦区西藏中路 120 号")
    orgs[code] = city
    for dcode, dname, dregion, streets in DISTRICTS:
        district = _org(city, code=f"SH-{dcode}", name=f"上海市{dname}总工会", short_name=dname,
                        level=Level.DISTRICT, org_type=OrgType.FEDERATION,
                        uscc=union_uscc(dregion), region=dname)
        orgs[district.code] = district
        for si, (sname, stype) in enumerate(streets, start=1):
            street = _org(district, code=f"{district.code}-{si:02d}", name=f"{sname}工会",
                          short_name=sname, level=Level.STREET, org_type=_TYPE[stype],
                          uscc=union_uscc(dregion), region=dname)
            orgs[street.code] = street
            for gi in range(1, 4):
                word, industry = COMPANY_WORDS[(si * 3 + gi + len(dname)) % len(COMPANY_WORDS)]
                if gi == 3:
                    gname, gtype = f"{sname}联合工会", OrgType.JOINT
                    employees = 120
                else:
                    company = f"上海{sname[:2]}{word}有限公司"
                    gname, gtype = f"{company}工会", OrgType.GRASSROOTS
                    employees = 80 + 40 * gi + si
                g = _org(street, code=f"{street.code}-{gi:02d}", name=gname, level=Level.GRASSROOTS,
                         org_type=gtype, uscc=union_uscc(dregion), region=dname,
                         industry=industry, employees_count=employees)
                orgs[g.code] = g
    for icode, iname, ishort, industry, companies in INDUSTRY_UNIONS:
        iorg = _org(city, code=f"SH-{icode}", name=iname, short_name=ishort,
                    level=Level.DISTRICT,
                    org_type=OrgType.TRADE_FEDERATION if icode == "KD" else OrgType.INDUSTRY,
                    uscc=union_uscc("310000"), region="上海市", industry=industry)
        orgs[iorg.code] = iorg
        for gi, company in enumerate(companies, start=1):
            g = _org(iorg, code=f"{iorg.code}-{gi:02d}", name=f"{company}工会",
                     level=Level.GRASSROOTS, org_type=OrgType.GRASSROOTS,
                     uscc=union_uscc("310000"), region="上海市", industry=industry,
                     employees_count=300 * gi)
            orgs[g.code] = g
    return orgs


def load_employers(orgs: dict[str, Org]) -> None:
    if Employer.objects.exists():
        return
    seq = _Counter()
    rows = []
    for org in orgs.values():
        if org.level == Level.STREET:
            # two employers without a union in every street: the 建会 gap the coverage ratio shows
            for k in (1, 2):
                rows.append(Employer(
                    name=f"上海{org.short_name[:2]}{COMPANY_WORDS[k][0]}工作室", area=org,
                    employees_count=12 * k, industry=COMPANY_WORDS[k][1],
                    uscc=make_uscc(f"91310000{seq.next():09d}"),
                ))
        elif org.org_type == OrgType.GRASSROOTS:
            area = orgs[org.code.rsplit("-", 1)[0]]
            rows.append(Employer(
                name=org.name.removesuffix("工会"), area=area, union=org,
                employees_count=org.employees_count, industry=org.industry,
                uscc=make_uscc(f"91310000{seq.next():09d}"),
            ))
    Employer.objects.bulk_create(rows)


def load_users(orgs: dict[str, Org]) -> dict[str, Any]:
    users = {}
    for username, display, role, code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display)
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(user=user, org=orgs[code], role=role)
        users[username] = user
    return users


def seed_demo(stdout: TextIO | None = None) -> tuple[dict[str, Org], dict[str, Any]]:
    with transaction.atomic():
        orgs = load_orgs()
        load_employers(orgs)
        users = load_users(orgs)
        hooks.call("demo.seed", orgs=orgs, users=users, stdout=stdout)
    return orgs, users
