"""Route-table entries and world objects of awards (建功立业).

World: in each district (A, B) a May-Day medal scheme issued by the district with one
nomination from the grassroots union waiting at the street; a craftsman scheme whose shortlist
is in 公示; a model worker in the register; a competition open for registration; a studio.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import form, get, op, pk_as, post
from tests.matrix.world import DISTRICT, SIDES, UNION, Obj, World, admin, builder

R, W = C.AWARDS_READ, C.AWARDS_WRITE


def _member(world: World, s: str, name: str):
    from gonghui.members.services import member_add
    from gonghui.members.tests.factories import person_fields

    return member_add(union=world.orgs[UNION[s]], fields=person_fields(name=name),
                      actor=admin(world), joined_on=dt.date(2020, 1, 1)).person


@builder("aw_scheme")
def _schemes(world: World) -> dict[str, Obj]:
    from gonghui.awards.services import honours as svc

    out = {}
    for s in SIDES:
        scheme = svc.scheme_create(org=world.orgs[DISTRICT[s]], kind="labour_medal", year=2026,
                                   title=f"{s}区2026年度五一劳动奖章", actor=admin(world))
        svc.quota_set(scheme=scheme, org=world.orgs[f"{UNION[s][:-2]}"], quota=3,
                      actor=admin(world))
        out[s] = Obj(scheme.pk, DISTRICT[s])
    return out


@builder("aw_nomination")
def _nominations(world: World) -> dict[str, Obj]:
    from gonghui.awards.models import HonourScheme
    from gonghui.awards.services import honours as svc

    out = {}
    for s in SIDES:
        scheme = HonourScheme.objects.get(pk=world.obj("aw_scheme", s).pk)
        n = svc.nomination_create(scheme=scheme, union=world.orgs[UNION[s]], actor=admin(world),
                                  person=_member(world, s, f"推荐人{s}"), category="frontline",
                                  deeds="扎根一线二十年", deeds_summary="技术能手")
        out[s] = Obj(n.pk, UNION[s])
    return out


@builder("aw_notice")
def _notices(world: World) -> dict[str, Obj]:
    from gonghui.awards.services import honours as svc

    out = {}
    for s in SIDES:
        district = world.orgs[DISTRICT[s]]
        scheme = svc.scheme_create(org=district, kind="craftsman", year=2026,
                                   title=f"{s}区2026年度工匠", actor=admin(world))
        n = svc.nomination_create(scheme=scheme, union=world.orgs[UNION[s]], actor=admin(world),
                                  person=_member(world, s, f"工匠{s}"), category="technical",
                                  deeds="攻克关键工艺", deeds_summary="工艺革新")
        for code in (UNION[s][:-2], DISTRICT[s]):
            svc.list_forward(scheme=scheme, org=world.orgs[code], nomination_ids=[n.pk],
                             actor=admin(world))
        notice = svc.scheme_notice_publish(scheme=scheme, actor=admin(world))
        out[s] = Obj(notice.pk, DISTRICT[s])
    return out


@builder("aw_worker")
def _workers(world: World) -> dict[str, Obj]:
    from gonghui.awards.services.register import model_worker_add

    out = {}
    for s in SIDES:
        worker = model_worker_add(person=_member(world, s, f"老劳模{s}"),
                                  union=world.orgs[UNION[s]], actor=admin(world),
                                  kind="model_worker", year=1995, level="city",
                                  title="上海市劳动模范", monthly_allowance=Decimal("300"))
        out[s] = Obj(worker.pk, UNION[s])
    return out


@builder("aw_competition")
def _competitions(world: World) -> dict[str, Obj]:
    from gonghui.awards.services.competitions import competition_create

    out = {}
    for s in SIDES:
        comp = competition_create(org=world.orgs[UNION[s]], title=f"{s}公司钳工技能比武",
                                  kind="skill", year=2026, actor=admin(world),
                                  criteria=[("理论", Decimal("100"), Decimal("0.3")),
                                            ("实操", Decimal("100"), Decimal("0.7"))])
        out[s] = Obj(comp.pk, UNION[s])
    return out


@builder("aw_studio")
def _studios(world: World) -> dict[str, Obj]:
    from gonghui.awards.services.studios import studio_create

    out = {}
    for s in SIDES:
        studio = studio_create(org=world.orgs[UNION[s]], name=f"{s}公司劳模创新工作室",
                               level="enterprise", founded_year=2020, actor=admin(world),
                               lead_name="王师傅")
        out[s] = Obj(studio.pk, UNION[s])
    return out


_SCHEME = {"reach_up": True}

PAGES = {
    "awards:home": get(R),
    "awards:schemes": get(R),
    "awards:scheme_new": form(W),
    "awards:scheme": get(R, "aw_scheme", **_SCHEME),
    "awards:quota_set": post(W, "aw_scheme", **_SCHEME),
    "awards:nominate": form(W, "aw_scheme", **_SCHEME),
    # a reader sees the issuing union's queue; an empty POST forwards nothing: 400
    "awards:review": form(W, "aw_scheme", read_cap=R, **_SCHEME),
    # nothing shortlisted yet, nothing approved: the scheme's state refuses (409)
    "awards:notice_publish": post(W, "aw_scheme", ok=409, **_SCHEME),
    "awards:confer": post(W, "aw_scheme", ok=409, **_SCHEME),
    "awards:nominations": get(R),
    "awards:nomination": get(R, "aw_nomination"),
    "awards:nomination_return": post(W, "aw_nomination"),
    "awards:nomination_reject": post(W, "aw_nomination"),
    "awards:nomination_withdraw": post(W, "aw_nomination"),
    # only a returned nomination is sent again: the world's is under review (409)
    "awards:nomination_resubmit": post(W, "aw_nomination", ok=409),
    # 公示 is public: anyone may read the list and its PDF
    "awards:publicity": get(access="public", obj="aw_notice"),
    "awards:publicity_pdf": get(access="public", obj="aw_notice"),
    "awards:register": get(R),
    "awards:register_add": form(W),
    "awards:model_worker": get(R, "aw_worker"),
    "awards:care_add": post(W, "aw_worker"),
    "awards:hardship": post(W, "aw_worker"),
    "awards:competitions": get(R),
    "awards:competition_new": form(W),
    "awards:competition": get(R, "aw_competition"),
    "awards:entry_add": post(W, "aw_competition"),
    "awards:score": post(W, "aw_competition"),
    "awards:advance": post(W, "aw_competition"),
    "awards:skill_upgrade": post(W, "aw_competition"),
    # certificates only once results are published: the world's competition is registering
    "awards:certificates": get(R, "aw_competition", ok=409),
    "awards:studios": get(R),
    "awards:studio_new": form(W),
    "awards:studio": get(R, "aw_studio"),
    "awards:studio_rate": post(W, "aw_studio"),
    "awards:results": get(R),
    "awards:result_new": form(W),
}

_S = {"kw": pk_as("scheme_id"), "reach_up": True}
_N = {"kw": pk_as("nomination_id")}
_M = {"kw": pk_as("worker_id")}
_C = {"kw": pk_as("competition_id")}

API = {
    "GET /awards/schemes": op(R),
    "POST /awards/schemes": op(W),
    "GET /awards/schemes/{scheme_id}": op(R, "aw_scheme", **_S),
    "POST /awards/schemes/{scheme_id}/quotas": op(W, "aw_scheme", **_S),
    "POST /awards/schemes/{scheme_id}/nominations": op(W, "aw_scheme", **_S),
    "POST /awards/schemes/{scheme_id}/forward": op(W, "aw_scheme", **_S),
    "POST /awards/schemes/{scheme_id}/publish": op(W, "aw_scheme", ok=409, **_S),
    "POST /awards/schemes/{scheme_id}/confer": op(W, "aw_scheme", ok=409, **_S),
    "GET /awards/nominations": op(R),
    "GET /awards/nominations/{nomination_id}": op(R, "aw_nomination", **_N),
    "POST /awards/nominations/{nomination_id}/return": op(W, "aw_nomination", **_N),
    "POST /awards/nominations/{nomination_id}/reject": op(W, "aw_nomination", **_N),
    "POST /awards/nominations/{nomination_id}/withdraw": op(W, "aw_nomination", **_N),
    "POST /awards/nominations/{nomination_id}/resubmit": op(W, "aw_nomination", **_N),
    "GET /awards/register": op(R),
    "GET /awards/register/{worker_id}": op(R, "aw_worker", **_M),
    "POST /awards/register/{worker_id}/care": op(W, "aw_worker", **_M),
    "POST /awards/register/{worker_id}/hardship": op(W, "aw_worker", **_M),
    "GET /awards/competitions": op(R),
    "POST /awards/competitions": op(W),
    "GET /awards/competitions/{competition_id}": op(R, "aw_competition", **_C),
    "POST /awards/competitions/{competition_id}/entries": op(W, "aw_competition", **_C),
    "POST /awards/competitions/{competition_id}/scores": op(W, "aw_competition", **_C),
    "POST /awards/competitions/{competition_id}/advance": op(W, "aw_competition", **_C),
    "GET /awards/studios": op(R),
    "POST /awards/studios": op(W),
    "POST /awards/studios/{studio_id}/ratings": op(W, "aw_studio", kw=pk_as("studio_id")),
    "GET /awards/results": op(R),
    "POST /awards/results": op(W),
    "GET /awards/dashboard": op(R),
}
