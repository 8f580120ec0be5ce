"""Route-table entries and world objects of outreach (issue 18)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import form, get, ids, op, post
from tests.matrix.world import DISTRICT, SIDES, UNION, WORLD_DAY, Obj, World, admin, builder

RD, WR = C.OUTREACH_READ, C.OUTREACH_WRITE
NEAR = {"lat": 31.23, "lon": 121.47}

PAGES = {
    "outreach:home": get(access="login"),
    "outreach:stations": get(RD),
    "outreach:station_new": form(WR),
    "outreach:station_import": form(WR),
    "outreach:station_export": get(RD),
    "outreach:station": get(RD, "outreach_station"),
    "outreach:station_edit": form(WR, "outreach_station"),
    "outreach:station_status": post(WR, "outreach_station"),
    "outreach:station_exception": post(WR, "outreach_station"),
    "outreach:station_inspect": post(WR, "outreach_station"),
    "outreach:station_photo_add": post(WR, "outreach_station"),     # no file → 400
    # a public station's photo is a public field (any signed-in user); the page is served only
    # through this checked view
    "outreach:station_photo": get(access="login", obj="outreach_photo",
                                  kw=ids(pk="station", photo_id="pk")),
    "outreach:station_photo_delete": post(WR, "outreach_photo", ok=302,
                                          kw=ids(pk="station", photo_id="pk")),
    "outreach:activities": get(RD),
    "outreach:activity_new": form(WR),
    "outreach:activity": get(RD, "outreach_activity"),
    "outreach:activity_cancel": post(WR, "outreach_activity"),
    "outreach:activity_qr": get(WR, "outreach_activity"),
    "outreach:activity_card": post(WR, "outreach_activity"),
    "outreach:announcements": get(RD),
    "outreach:announcement_new": form(WR),
    "outreach:announcement": get(RD, "outreach_announcement"),
    "outreach:announcement_withdraw": post(WR, "outreach_announcement"),
    "outreach:courses": get(RD),
    "outreach:course_new": form(WR),
    "outreach:training_gaps": get(RD),
    "outreach:course": get(RD, "outreach_course"),
    "outreach:course_session": post(WR, "outreach_course"),
    "outreach:course_enrol": post(WR, "outreach_course"),
    "outreach:course_attend": post(WR, "outreach_course", kw=ids(pk="pk", sid="session")),
    "outreach:course_certificate": get(RD, "outreach_course", kw=ids(pk="pk", uid="cadre")),
    "outreach:projects": get(RD),
    "outreach:project_new": form(WR),
    "outreach:project": get(RD, "outreach_project"),
    # the member portal
    "outreach:portal": get(access="login", query=lambda o: NEAR),
    "outreach:map": get(access="login"),
    "outreach:map_data": get(access="login"),
    "outreach:my_activities": get(access="own", owners=("worker",)),
    "outreach:my_activity": get(access="own", obj="outreach_member_activity"),
    "outreach:checkin": (get(access="own", obj="outreach_member_activity")[0],
                         post(access="own", obj="outreach_member_activity")[0]),  # no code: 400
    # the worker signs up (a place is free): redirected to the activity
    "outreach:signup": post(access="own", obj="outreach_member_activity", ok=302),
    "outreach:signup_cancel": post(access="own", obj="outreach_own_signup", ok=302),
    "outreach:inbox": get(access="login"),
    "outreach:inbox_item": get(access="own", obj="outreach_receipt"),
}

API = {
    "GET /outreach/stations": op(RD),
    "POST /outreach/stations": op(WR),
    "GET /outreach/stations/{station_id}": op(RD, "outreach_station"),
    "POST /outreach/stations/{station_id}/status": op(WR, "outreach_station"),
    "GET /outreach/stations/{station_id}/photos": op(RD, "outreach_station"),
    "POST /outreach/stations/{station_id}/photos": op(WR, "outreach_station"),   # no file → 400
    "DELETE /outreach/stations/{station_id}/photos/{photo_id}": op(
        WR, "outreach_photo", ok=204, kw=ids(station_id="station", photo_id="pk")),
    "POST /outreach/stations/import": op(WR),
    "GET /outreach/nearby": op(access="login", query=lambda o: NEAR),
    "GET /outreach/activities": op(RD),
    "POST /outreach/activities": op(WR),
    "GET /outreach/activities/{activity_id}": op(RD, "outreach_activity"),
    "GET /outreach/activities/{activity_id}/signups": op(RD, "outreach_activity"),
    "POST /outreach/activities/{activity_id}/cancel": op(WR, "outreach_activity"),
    "POST /outreach/activities/{activity_id}/checkin-card": op(WR, "outreach_activity"),
    "GET /outreach/my/activities": op(access="own", owners=("worker",)),
    "POST /outreach/my/activities/{activity_id}/signup": op(
        access="own", obj="outreach_member_activity2", ok=201),
    "POST /outreach/my/activities/{activity_id}/checkin": op(
        access="own", obj="outreach_member_activity"),
    "POST /outreach/my/signups/{signup_id}/cancel": op(access="own", obj="outreach_own_signup2",
                                                       ok=200),
    "GET /outreach/announcements": op(RD),
    "POST /outreach/announcements": op(WR),
    "GET /outreach/announcements/{announcement_id}": op(RD, "outreach_announcement"),
    "GET /outreach/announcements/{announcement_id}/read-rates": op(RD, "outreach_announcement"),
    "POST /outreach/announcements/{announcement_id}/withdraw": op(WR, "outreach_announcement"),
    "GET /outreach/inbox": op(access="login"),
    "GET /outreach/inbox/unread-count": op(access="login"),
    "POST /outreach/inbox/{announcement_id}/read": op(access="own", obj="outreach_receipt",
                                                      ok=200),
    "GET /outreach/projects": op(RD),
    "POST /outreach/projects": op(WR),
    "GET /outreach/projects/{project_id}": op(RD, "outreach_project"),
    "GET /outreach/dashboard": op(RD),
}


def _aware(value: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(value)


@builder("outreach_station")
def _stations(world: World) -> dict[str, Obj]:
    from gonghui.outreach.services.stations import station_create

    out = {}
    for i, s in enumerate(SIDES):
        station = station_create(
            org=world.orgs[UNION[s]], actor=admin(world), code=f"MX{s}", name=f"爱心接力站{s}",
            kind="outdoor", address="测试路1号", district="黄浦区", lat=31.23 + i / 100,
            lon=121.47, amenities=16, weekly="每天 00:00-24:00")
        out[s] = Obj(station.pk, UNION[s])
    return out


@builder("outreach_photo")
def _photos(world: World) -> dict[str, Obj]:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from gonghui.outreach.models import Station
    from gonghui.outreach.services.photos import photo_add

    out = {}
    for s in SIDES:
        station = Station.objects.get(code=f"MX{s}")
        data = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 0, 0)).save(data, "PNG")
        photo = photo_add(station=station, actor=admin(world),
                          upload=SimpleUploadedFile("p.png", data.getvalue()))
        out[s] = Obj(photo.pk, UNION[s], {"station": station.pk})
    return out


def _activity(world: World, org_code: str, title: str) -> Any:
    from gonghui.outreach.services.activities import activity_create

    return activity_create(
        org=world.orgs[org_code], actor=admin(world), title=title, kind="culture",
        place="工人文化宫", starts_at=_aware(WORLD_DAY + dt.timedelta(days=10)),
        ends_at=_aware(WORLD_DAY + dt.timedelta(days=10, hours=2)), capacity=5,
        signup_opens=_aware(WORLD_DAY - dt.timedelta(days=1)),
        signup_closes=_aware(WORLD_DAY + dt.timedelta(days=9)),
        cancel_deadline=_aware(WORLD_DAY + dt.timedelta(days=8)))


@builder("outreach_activity")
def _activities(world: World) -> dict[str, Obj]:
    return {s: Obj(_activity(world, UNION[s], f"活动{s}").pk, UNION[s]) for s in SIDES}


def _member_activities(world: World, label: str) -> dict[str, Obj]:
    """Activities of each union; the worker (member of SH-A-1-1) reaches A's as their own."""
    out = {s: Obj(_activity(world, UNION[s], f"{label}{s}").pk, UNION[s]) for s in SIDES}
    out["worker"] = Obj(out["A"].pk, UNION["A"], owner="worker")
    return out


@builder("outreach_member_activity")
def _member_activity(world: World) -> dict[str, Obj]:
    return _member_activities(world, "会员活动")


@builder("outreach_member_activity2")
def _member_activity2(world: World) -> dict[str, Obj]:
    return _member_activities(world, "会员活动二")


def _own_signup(world: World, label: str) -> dict[str, Obj]:
    from gonghui.outreach.permissions import require_member
    from gonghui.outreach.services.activities import signup_create

    worker = world.users["worker"]
    activity = _activity(world, UNION["A"], label)
    signup = signup_create(activity=activity, member=require_member(worker), actor=worker)
    worker.__dict__.pop("_gh_outreach_member", None)
    obj = Obj(signup.pk, UNION["A"], owner="worker")
    return {"A": Obj(signup.pk, UNION["A"]), "B": Obj(signup.pk, UNION["A"]), "worker": obj}


@builder("outreach_own_signup")
def _own_signups(world: World) -> dict[str, Obj]:
    return _own_signup(world, "已报名活动")


@builder("outreach_own_signup2")
def _own_signups2(world: World) -> dict[str, Obj]:
    return _own_signup(world, "已报名活动二")


@builder("outreach_announcement")
def _announcements(world: World) -> dict[str, Obj]:
    from gonghui.outreach.services.announcements import announcement_publish

    out = {}
    for s in SIDES:
        a = announcement_publish(org=world.orgs[UNION[s]], title=f"通知{s}", body="正文",
                                 audience="everyone", actor=admin(world))
        out[s] = Obj(a.pk, UNION[s])
    return out


@builder("outreach_receipt")
def _receipts(world: World) -> dict[str, Obj]:
    """An announcement of SH-A-1-1 whose only copy is the worker's (a member there): the
    union's own cadres' copies are taken out, so the route is the worker's alone."""
    from gonghui.outreach.models import Receipt
    from gonghui.outreach.services.announcements import announcement_publish

    a = announcement_publish(org=world.orgs[UNION["A"]], title="会员通知", body="正文",
                             audience="everyone", actor=admin(world))
    b = announcement_publish(org=world.orgs[UNION["B"]], title="乙区会员通知", body="正文",
                             audience="everyone", actor=admin(world))
    Receipt.objects.filter(announcement__in=[a, b]).exclude(user=world.users["worker"]).delete()
    return {"A": Obj(a.pk, UNION["A"]), "B": Obj(b.pk, UNION["B"]),
            "worker": Obj(a.pk, UNION["A"], owner="worker")}


@builder("outreach_course")
def _courses(world: World) -> dict[str, Obj]:
    from gonghui.outreach.services import training

    out = {}
    for s in SIDES:
        course = training.course_create(org=world.orgs[UNION[s]], title=f"干部培训班{s}",
                                        year=2026, actor=admin(world))
        session = training.session_add(course=course, starts_at=_aware(WORLD_DAY),
                                       hours=Decimal("3"), topic="工会法", actor=admin(world))
        cadre = world.users[f"cadre_{s.lower()}11"]
        training.enrol(course=course, cadre=cadre, actor=admin(world))
        training.attendance_record(session=session, user_ids=[cadre.pk], actor=admin(world))
        out[s] = Obj(course.pk, UNION[s], {"session": session.pk, "cadre": cadre.pk})
    return out


@builder("outreach_project")
def _projects(world: World) -> dict[str, Obj]:
    """Projects are set by the city for its districts: both sides' objects are the city's
    project (A's seen from district A's subtree would not exist); B's names district B."""
    from gonghui.outreach.services.projects import project_create

    out = {}
    for s in SIDES:
        p = project_create(org=world.orgs["SH"], year=2026, title=f"新增爱心接力站{s}",
                           kind="outdoor", metric="opened", targets={DISTRICT[s]: 10},
                           actor=admin(world))
        out[s] = Obj(p.pk, world.root)
    return out
