"""The JSON API of outreach (mounted at /api/v1/outreach): every list and action of the pages,
through the same selectors and services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.bounds import Day, Moment, Year
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_form
from gonghui.outreach import selectors
from gonghui.outreach.models import AMENITY_CODES, Activity, Announcement, Project, Signup, Station
from gonghui.outreach.permissions import (
    access_activity,
    access_announcement,
    access_org,
    access_project,
    access_station,
    member_activity,
    own_receipt,
    own_signup,
    require_member,
)
from gonghui.outreach.services import activities as activity_svc
from gonghui.outreach.services import announcements as announcement_svc
from gonghui.outreach.services import photos as photo_svc
from gonghui.outreach.services import projects as project_svc
from gonghui.outreach.services import stations as station_svc

router = Router()
READ, WRITE = Capability.OUTREACH_READ, Capability.OUTREACH_WRITE


# --- schemas --------------------------------------------------------------------------------

class StationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    org: str
    address: str
    district: str
    lat: float
    lon: float
    amenities: list[str]
    phone: str
    opened_on: dt.date | None
    public: bool
    status: str


class StationIn(Schema):
    org: str
    code: str = ""
    name: str
    kind: str
    address: str
    district: str
    lat: float
    lon: float
    amenities: list[str] = []
    weekly: str
    phone: str = ""
    opened_on: Day | None = None
    public: bool = True
    note: str = ""


class StatusIn(Schema):
    status: str
    reason: str


class ReasonIn(Schema):
    reason: str


class ImportOut(Schema):
    created: int
    updated: int
    refused: list[dict[str, Any]]


class NearbyOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    district: str
    lat: float
    lon: float
    amenities: list[str]
    km: float
    open_now: bool


class ActivityOut(Schema):
    id: int
    org: str
    title: str
    kind: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int
    group: str
    signup_opens: dt.datetime
    signup_closes: dt.datetime
    cancel_deadline: dt.datetime
    status: str


class ActivityIn(Schema):
    org: str
    title: str
    kind: str
    description: str = ""
    place: str
    starts_at: Moment
    ends_at: Moment
    capacity: int
    group: str = ""
    signup_opens: Moment
    signup_closes: Moment
    cancel_deadline: Moment


class SignupOut(Schema):
    id: int
    activity_id: int
    name: str
    status: str
    position: int | None
    created_at: dt.datetime
    checked_in_at: dt.datetime | None


class TokenIn(Schema):
    token: str


class CardIn(Schema):
    card_number: str


class AnnouncementOut(Schema):
    id: int
    org: str
    title: str
    body: str
    audience: str
    group: str
    pinned: bool
    expires_on: dt.date | None
    published_at: dt.datetime
    recipients: int
    status: str


class AnnouncementIn(Schema):
    org: str
    title: str
    body: str
    audience: str
    group: str = ""
    pinned: bool = False
    expires_on: Day | None = None


class RateOut(Schema):
    union: str
    path: str
    total: int
    read: int
    rate: Decimal


class InboxOut(Schema):
    announcement_id: int
    title: str
    org: str
    pinned: bool
    published_at: dt.datetime
    read_at: dt.datetime | None


class CountOut(Schema):
    count: int


class ProjectOut(Schema):
    id: int
    org: str
    year: int
    title: str
    kind: str
    metric: str
    progress: list[dict[str, Any]]


class ProjectIn(Schema):
    org: str
    year: Year
    title: str
    kind: str
    metric: str = "opened"
    targets: dict[str, int]


# --- converters -------------------------------------------------------------------------------

def _station(s: Station) -> dict[str, Any]:
    return {"id": s.pk, "code": s.code, "name": s.name, "kind": s.kind, "org": s.org.code,
            "address": s.address, "district": s.district, "lat": s.lat, "lon": s.lon,
            "amenities": [c for c, bit in _codes() if s.amenities & bit], "phone": s.phone,
            "opened_on": s.opened_on, "public": s.public, "status": s.status}


def _codes() -> list[tuple[str, int]]:
    return list(AMENITY_CODES.items())


def _activity(a: Activity) -> dict[str, Any]:
    return {"id": a.pk, "org": a.org.code, "title": a.title, "kind": a.kind, "place": a.place,
            "starts_at": a.starts_at, "ends_at": a.ends_at, "capacity": a.capacity,
            "taken": a.taken, "group": a.group, "signup_opens": a.signup_opens,
            "signup_closes": a.signup_closes, "cancel_deadline": a.cancel_deadline,
            "status": a.status}


def _signup(s: Signup) -> dict[str, Any]:
    return {"id": s.pk, "activity_id": s.activity_id, "name": s.name, "status": s.status,
            "position": activity_svc.waiting_position(s), "created_at": s.created_at,
            "checked_in_at": s.checked_in_at}


def _announcement(a: Announcement) -> dict[str, Any]:
    return {"id": a.pk, "org": a.org.code, "title": a.title, "body": a.body,
            "audience": a.audience, "group": a.group, "pinned": a.pinned,
            "expires_on": a.expires_on, "published_at": a.published_at,
            "recipients": a.recipients, "status": a.status}


def _project(p: Project) -> dict[str, Any]:
    return {"id": p.pk, "org": p.org.code, "year": p.year, "title": p.title, "kind": p.kind,
            "metric": p.metric, "progress": [
                {**r, "percent": str(r["percent"])} for r in selectors.project_progress(p)]}


# --- stations -------------------------------------------------------------------------------

@router.get("/stations", response=Page[StationOut])
def list_stations(request: HttpRequest, paging: Query[PageParams], q: str = "", kind: str = "",
                  status: str = "", district: str = "", amenity: str = ""):
    require_capability(request.user, READ)
    rows = selectors.station_list(viewer=request.user, q=q, kind=kind, status=status,
                                  district=district, amenity=amenity)
    return paginate(request, rows, paging, item=_station)


@router.post("/stations", response={201: StationOut}, openapi_extra=body_schema(StationIn))
def create_station(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, StationIn).dict()
    org = access_org(request.user, data.pop("org"))
    data["amenities"] = selectors.amenity_mask(data["amenities"])
    return Status(201, _station(station_svc.station_create(org=org, actor=request.user,
                                                           **data)))


@router.post("/stations/import", response=ImportOut)
def import_stations(request: HttpRequest):
    require_capability(request.user, WRITE)
    parse_form(request, Schema, files=("file",))
    upload = request.FILES.get("file")
    assert upload is not None  # parse_form refused a request without it (400)
    report = station_svc.stations_import(data=upload.read(), actor=request.user)
    return {"created": report.created, "updated": report.updated,
            "refused": [{"row": r, "column": c, "message": m} for r, c, m in report.refused]}


@router.get("/stations/{station_id}", response=StationOut)
def get_station(request: HttpRequest, station_id: int):
    return _station(access_station(request.user, station_id))


@router.post("/stations/{station_id}/status", response=StationOut,
             openapi_extra=body_schema(StatusIn))
def set_station_status(request: HttpRequest, station_id: int):
    station = access_station(request.user, station_id, write=True)
    body = parse_body(request, StatusIn)
    return _station(station_svc.station_set_status(station=station, status=body.status,
                                                   reason=body.reason, actor=request.user))


class PhotoOut(Schema):
    id: int
    caption: str
    content_type: str
    width: int
    height: int
    url: str


class PhotoForm(Schema):
    caption: str = ""


def _photo(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "caption": p.caption, "content_type": p.content_type, "width": p.width,
            "height": p.height,
            "url": reverse("outreach:station_photo", args=[p.station_id, p.pk])}


@router.get("/stations/{station_id}/photos", response=list[PhotoOut])
def list_photos(request: HttpRequest, station_id: int):
    """The station's photos; each is served by its `url` (the checked view)."""
    return [_photo(p) for p in access_station(request.user, station_id).photos.all()]


@router.post("/stations/{station_id}/photos", response={201: PhotoOut})
def add_photo(request: HttpRequest, station_id: int):
    """multipart/form-data: `file` (PNG or JPEG, ≤ 5 MB), `caption`."""
    station = access_station(request.user, station_id, write=True)
    form = parse_form(request, PhotoForm, files=("file",))
    upload = request.FILES.get("file")
    assert upload is not None  # parse_form refused a request without it (400)
    return Status(201, _photo(photo_svc.photo_add(station=station, upload=upload,
                                                  caption=form.caption, actor=request.user)))


@router.delete("/stations/{station_id}/photos/{photo_id}", response={204: None})
def delete_photo(request: HttpRequest, station_id: int, photo_id: int):
    station = access_station(request.user, station_id, write=True)
    photo = station.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound()
    photo_svc.photo_delete(photo=photo, actor=request.user)
    return Status(204, None)


@router.get("/nearby", response=list[NearbyOut])
def nearby(request: HttpRequest, lat: float, lon: float, k: int = 10, kind: str = "",
           amenity: str = "", open_now: bool = False):
    """The public stations nearest to a point (any signed-in user; public fields only)."""
    if not getattr(request.user, "is_authenticated", False):
        raise NotFound()
    if not (18 <= lat <= 54 and 73 <= lon <= 135):
        raise ApplicationError(_("位置不在中国境内，请重新定位或输入所在区。"))
    found = selectors.nearest(lat=lat, lon=lon, k=max(1, min(k, 50)), kind=kind,
                              amenities=selectors.amenity_mask(amenity), open_now=open_now)
    return [{"id": n.station.pk, "name": n.station.name, "kind": n.station.kind,
             "address": n.station.address, "district": n.station.district,
             "lat": n.station.lat, "lon": n.station.lon,
             "amenities": [c for c, bit in _codes() if n.station.amenities & bit],
             "km": round(n.km, 3), "open_now": n.open_now} for n in found]


# --- activities -----------------------------------------------------------------------------

@router.get("/activities", response=Page[ActivityOut])
def list_activities(request: HttpRequest, paging: Query[PageParams], q: str = "",
                    kind: str = "", status: str = "", when: str = ""):
    require_capability(request.user, READ)
    rows = selectors.activity_list(viewer=request.user, q=q, kind=kind, status=status, when=when)
    return paginate(request, rows, paging, item=_activity)


@router.post("/activities", response={201: ActivityOut}, openapi_extra=body_schema(ActivityIn))
def create_activity(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, ActivityIn).dict()
    org = access_org(request.user, data.pop("org"))
    return Status(201, _activity(activity_svc.activity_create(org=org, actor=request.user,
                                                              **data)))


@router.get("/activities/{activity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, activity_id: int):
    return _activity(access_activity(request.user, activity_id))


@router.get("/activities/{activity_id}/signups", response=Page[SignupOut])
def list_signups(request: HttpRequest, activity_id: int, paging: Query[PageParams],
                 status: str = ""):
    activity = access_activity(request.user, activity_id)
    return paginate(request, selectors.signup_list(activity, status=status), paging,
                    item=_signup)


@router.post("/activities/{activity_id}/cancel", response=ActivityOut,
             openapi_extra=body_schema(ReasonIn))
def cancel_activity(request: HttpRequest, activity_id: int):
    activity = access_activity(request.user, activity_id, write=True)
    reason = parse_body(request, ReasonIn).reason
    return _activity(activity_svc.activity_cancel(activity=activity, reason=reason,
                                                  actor=request.user))


@router.post("/activities/{activity_id}/checkin-card", response=SignupOut,
             openapi_extra=body_schema(CardIn))
def checkin_card(request: HttpRequest, activity_id: int):
    activity = access_activity(request.user, activity_id, write=True)
    card = parse_body(request, CardIn).card_number
    return _signup(activity_svc.check_in_by_card(activity=activity, card_number=card,
                                                 actor=request.user))


@router.get("/my/activities", response=Page[ActivityOut])
def my_activities(request: HttpRequest, paging: Query[PageParams], q: str = "",
                  kind: str = "", when: str = "upcoming"):
    member = require_member(request.user)
    return paginate(request, selectors.member_activities(member, q=q, kind=kind, when=when),
                    paging, item=_activity)


@router.post("/my/activities/{activity_id}/signup", response={201: SignupOut})
def sign_up(request: HttpRequest, activity_id: int):
    activity, member = member_activity(request.user, activity_id)
    return Status(201, _signup(activity_svc.signup_create(activity=activity, member=member,
                                                          actor=request.user)))


@router.post("/my/activities/{activity_id}/checkin", response=SignupOut,
             openapi_extra=body_schema(TokenIn))
def check_in(request: HttpRequest, activity_id: int):
    activity, _member = member_activity(request.user, activity_id)
    token = parse_body(request, TokenIn).token
    return _signup(activity_svc.check_in_by_code(activity=activity, token=token,
                                                 actor=request.user))


@router.post("/my/signups/{signup_id}/cancel", response=SignupOut)
def cancel_signup(request: HttpRequest, signup_id: int):
    signup = own_signup(request.user, signup_id)
    return _signup(activity_svc.signup_cancel(signup=signup, actor=request.user))


# --- announcements --------------------------------------------------------------------------

@router.get("/announcements", response=Page[AnnouncementOut])
def list_announcements(request: HttpRequest, paging: Query[PageParams], q: str = "",
                       status: str = ""):
    require_capability(request.user, READ)
    rows = selectors.announcement_list(viewer=request.user, q=q, status=status)
    return paginate(request, rows, paging, item=_announcement)


@router.post("/announcements", response={201: AnnouncementOut},
             openapi_extra=body_schema(AnnouncementIn))
def publish_announcement(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, AnnouncementIn).dict()
    org = access_org(request.user, data.pop("org"))
    return Status(201, _announcement(announcement_svc.announcement_publish(
        org=org, actor=request.user, **data)))


@router.get("/announcements/{announcement_id}", response=AnnouncementOut)
def get_announcement(request: HttpRequest, announcement_id: int):
    return _announcement(access_announcement(request.user, announcement_id))


@router.get("/announcements/{announcement_id}/read-rates", response=list[RateOut])
def read_rates(request: HttpRequest, announcement_id: int):
    return selectors.read_rates(access_announcement(request.user, announcement_id))


@router.post("/announcements/{announcement_id}/withdraw", response=AnnouncementOut,
             openapi_extra=body_schema(ReasonIn))
def withdraw_announcement(request: HttpRequest, announcement_id: int):
    a = access_announcement(request.user, announcement_id, write=True)
    reason = parse_body(request, ReasonIn).reason
    return _announcement(announcement_svc.announcement_withdraw(announcement=a, reason=reason,
                                                                actor=request.user))


@router.get("/inbox", response=Page[InboxOut])
def inbox(request: HttpRequest, paging: Query[PageParams], unread: bool = False, q: str = ""):
    if not getattr(request.user, "is_authenticated", False):
        raise NotFound()
    rows = selectors.inbox(request.user, unread=unread, q=q)
    return paginate(request, rows, paging, item=lambda r: {
        "announcement_id": r.announcement_id, "title": r.announcement.title,
        "org": r.announcement.org.code, "pinned": r.announcement.pinned,
        "published_at": r.announcement.published_at, "read_at": r.read_at})


@router.get("/inbox/unread-count", response=CountOut)
def inbox_unread(request: HttpRequest):
    if not getattr(request.user, "is_authenticated", False):
        raise NotFound()
    return {"count": selectors.unread_count(request.user)}


@router.post("/inbox/{announcement_id}/read", response=AnnouncementOut)
def inbox_read(request: HttpRequest, announcement_id: int):
    receipt = own_receipt(request.user, announcement_id)
    announcement_svc.receipt_read(receipt=receipt, actor=request.user)
    return _announcement(receipt.announcement)


# --- projects and the dashboard ----------------------------------------------------------

@router.get("/projects", response=Page[ProjectOut])
def list_projects(request: HttpRequest, paging: Query[PageParams], year: str = ""):
    require_capability(request.user, READ)
    return paginate(request, selectors.project_list(viewer=request.user, year=year), paging,
                    item=_project)


@router.post("/projects", response={201: ProjectOut}, openapi_extra=body_schema(ProjectIn))
def create_project(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, ProjectIn).dict()
    org = access_org(request.user, data.pop("org"))
    return Status(201, _project(project_svc.project_create(org=org, actor=request.user, **data)))


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request: HttpRequest, project_id: int):
    return _project(access_project(request.user, project_id))


@router.get("/dashboard", response=dict[str, Any])
def dashboard(request: HttpRequest, year: Year | None = None):
    require_capability(request.user, READ)
    data = selectors.dashboard(viewer=request.user, year=year or clock.today().year)
    data["participation"] = dict(data["participation"])
    for key in ("attendance_rate", "read_rate", "training_hours"):
        data[key] = None if data[key] is None else str(data[key])
    return data
