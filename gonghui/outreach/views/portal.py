"""The member portal (phone first): stations near me with the offline map, activities with
sign-up and check-in, the announcement inbox."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service
from gonghui.outreach import selectors
from gonghui.outreach.forms import TokenForm
from gonghui.outreach.geo import DISTRICT_CENTRES
from gonghui.outreach.models import AMENITY_CODES, ActivityKind, Amenity, StationKind
from gonghui.outreach.permissions import (
    member_activity,
    member_context,
    own_receipt,
    own_signup,
    require_member,
)
from gonghui.outreach.services import activities as svc
from gonghui.outreach.services.announcements import receipt_read


def _point(request: HttpRequest) -> tuple[float, float] | None:
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
    except (KeyError, ValueError):
        district = request.GET.get("place", "").strip()
        for name, centre in DISTRICT_CENTRES.items():
            if district and (district in name or name in district):
                return centre
        return None
    return lat, lon


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """Stations near me: the phone's position (lat/lon from the browser) or a district."""
    point = _point(request)
    amenity = [a for a in request.GET.getlist("amenity") if a in AMENITY_CODES]
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in StationKind.values \
        else ""
    open_now = request.GET.get("open") == "1"
    results: list[Any] = []
    error = ""
    if point is not None:
        if not (18 <= point[0] <= 54 and 73 <= point[1] <= 135):
            error = _("位置不在中国境内，请重新定位或输入所在区。")
        else:
            results = selectors.nearest(lat=point[0], lon=point[1], k=10, kind=kind,
                                        amenities=selectors.amenity_mask(amenity),
                                        open_now=open_now)
    elif request.GET.get("place"):
        error = _("没有找到“{place}”，请输入上海的区名，例如“浦东新区”。").format(
            place=request.GET["place"])
    return render(request, "outreach/portal.html", {
        "point": point, "results": results, "error": error, "amenity": amenity,
        "amenities": [(c, Amenity(b).label) for c, b in AMENITY_CODES.items()],
        "kinds": StationKind.choices, "kind": kind, "open_now": open_now,
        "place": request.GET.get("place", ""), "districts": list(DISTRICT_CENTRES),
        "member": member_context(request.user)}, status=400 if error else 200)


@login_required
def station_map(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/map.html", {})


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    """Public fields only: name, kind, address, district, position, amenities — each station
    when the view holds few, else grid clusters with counts (selectors.map_view). `bbox` =
    west,south,east,north of the current view (the whole map without it); `cols`, `rows` the
    clustering cells across it."""
    view = selectors.map_view(box=_bbox(request.GET.get("bbox", "")),
                              grid=(_cells(request, "cols"), _cells(request, "rows")))
    kinds = dict(StationKind.choices)
    points = [{"id": p["id"], "name": p["name"], "kind": str(kinds[p["kind"]]),
               "district": p["district"], "value": [p["lon"], p["lat"]], "address": p["address"],
               "amenities": [str(a.label) for a in Amenity if p["amenities"] & a.value]}
              for p in view["points"]]
    clusters = [{"value": [c["lon"], c["lat"], c["count"]], "count": c["count"]}
                for c in view["clusters"]]
    counts = selectors.station_counts_by_district(selectors.public_stations())
    return JsonResponse({"total": view["total"], "points": points, "clusters": clusters,
                         "districts": [{"name": c["district"], "value": c["n"]}
                                       for c in counts]})


def _cells(request: HttpRequest, name: str) -> int:
    """Clustering cells across the view (the page asks for one per ~56 pixels), 2–60."""
    value = request.GET.get(name, "")
    return min(max(int(value), 2), 60) if value.isdigit() else selectors.MAP_GRID[0]


def _bbox(text: str) -> selectors.Box | None:
    """west,south,east,north in degrees, clipped to China's box; anything else: no box."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    west, east = max(west, 73.0), min(east, 135.0)
    south, north = max(south, 18.0), min(north, 54.0)
    if west >= east or south >= north:
        return None
    return selectors.Box(south=south, west=west, north=north, east=east)


@login_required
def my_activities(request: HttpRequest) -> HttpResponse:
    member = require_member(request.user)
    params = {"q": request.GET.get("q", "").strip(), "kind": request.GET.get("kind", ""),
              "when": request.GET.get("when", "upcoming")}
    queryset = selectors.member_activities(member, **params)
    return render(request, "outreach/my_activities.html", {
        "page": paginate(request, queryset), "params": params, "kinds": ActivityKind.choices,
        "mine": selectors.own_signups(request.user), "qs": querystring_without_page(request)})


def _my_activity(request: HttpRequest, pk: int, *, status: int = 200,
                 token_form: TokenForm | None = None) -> HttpResponse:
    activity, _member = member_activity(request.user, pk)
    signup = selectors.own_signups(request.user).get(activity.pk)
    return render(request, "outreach/my_activity.html", {
        "activity": activity, "signup": signup,
        "position": svc.waiting_position(signup) if signup else None,
        "token_form": token_form or TokenForm(initial={"token": request.GET.get("t", "")}),
        "full": activity.taken >= activity.capacity}, status=status)


@login_required
def my_activity(request: HttpRequest, pk: int) -> HttpResponse:
    return _my_activity(request, pk)


@login_required
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity, member = member_activity(request.user, pk)
    outcome = run_service(request, lambda: svc.signup_create(
        activity=activity, member=member, actor=request.user))
    if outcome.ok and outcome.value is not None:
        messages.success(request, _("报名成功。") if outcome.value.status == "confirmed"
                         else _("名额已满，您已进入候补名单。"))
        return redirect("outreach:my_activity", activity.pk)
    return _my_activity(request, pk, status=outcome.status)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    own = own_signup(request.user, pk)
    outcome = run_service(request, lambda: svc.signup_cancel(signup=own, actor=request.user),
                          success=_("已取消报名。"))
    if outcome.ok:
        return redirect("outreach:my_activity", own.activity_id)
    return _my_activity(request, own.activity_id, status=outcome.status)


@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page the member's camera opens from the organiser's code; POST: check in."""
    activity, _member = member_activity(request.user, pk)
    if request.method != "POST":
        return _my_activity(request, pk)
    form = TokenForm(posted(request))
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.check_in_by_code(
            activity=activity, token=form.cleaned_data["token"], actor=request.user),
            form=form, success=_("签到成功。"))
        if outcome.ok:
            return redirect("outreach:my_activity", activity.pk)
    return _my_activity(request, pk, status=form_status(form, outcome), token_form=form)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    q = request.GET.get("q", "").strip()
    return render(request, "outreach/inbox.html", {
        "page": paginate(request, selectors.inbox(request.user, unread=unread, q=q)),
        "unread": unread, "q": q, "unread_count": selectors.unread_count(request.user),
        "qs": querystring_without_page(request)})


@login_required
def inbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = own_receipt(request.user, pk)
    receipt_read(receipt=receipt, actor=request.user)
    return render(request, "outreach/inbox_item.html", {"receipt": receipt,
                                                        "a": receipt.announcement})
