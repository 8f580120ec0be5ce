"""Outreach reads: scoped lists for cadres, the member's own views, the nearest search."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Floor, Least
from django.utils import timezone

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.core import clock
from gonghui.orgs.models import Org
from gonghui.outreach import geo, hours
from gonghui.outreach.models import (
    AMENITY_CODES,
    Activity,
    Announcement,
    Attendance,
    Course,
    Inspection,
    Project,
    ProjectMetric,
    Receipt,
    Signup,
    SignupStatus,
    Station,
    StationStatus,
)
from gonghui.outreach.permissions import MemberContext

READ = Capability.OUTREACH_READ


def amenity_mask(codes: Any) -> int:
    if isinstance(codes, str):
        codes = [c for c in codes.split(",") if c]
    return sum(AMENITY_CODES.get(c, 0) for c in set(codes or ()))


def with_amenities(queryset: QuerySet[Station], mask: int) -> QuerySet[Station]:
    if not mask:
        return queryset
    return queryset.annotate(_m=F("amenities").bitand(mask)).filter(_m=mask)


def station_list(*, viewer: Any, q: str = "", kind: str = "", status: str = "",
                 district: str = "", amenity: str = "") -> QuerySet[Station]:
    queryset = scope(Station.objects.select_related("org"), viewer, READ, path_field="org_path")
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(address__contains=q) | Q(code=q))
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if district:
        queryset = queryset.filter(district=district)
    return with_amenities(queryset, amenity_mask(amenity)).order_by("org_path", "code")


def inspections_due(*, viewer: Any, year: int) -> QuerySet[Station]:
    """The yearly inspection (年度检查) still to do: stations not removed, in the subtrees where
    the viewer may record inspections, without a passed inspection in `year`; oldest first."""
    passed = Inspection.objects.filter(station=OuterRef("pk"), inspected_on__year=year,
                                       passed=True)
    rows = Station.objects.select_related("org").exclude(status=StationStatus.REMOVED)
    return (scope(rows, viewer, Capability.OUTREACH_WRITE, path_field="org_path")
            .filter(~Exists(passed)).order_by(F("opened_on").asc(nulls_first=True), "code"))


def public_stations() -> QuerySet[Station]:
    """What the member portal and the public map show: public, not removed."""
    return Station.objects.filter(public=True).exclude(status=StationStatus.REMOVED)


@dataclass(frozen=True)
class Box:
    """A map view: south, west, north, east in degrees."""

    south: float
    west: float
    north: float
    east: float


MAP_POINTS = 2000   # at most this many stations are sent one by one; beyond, grid clusters
MAP_GRID = (8, 8)   # columns × rows of the view when clustering (the page sends its own)


def map_view(*, box: Box | None = None, limit: int | None = None,
             grid: tuple[int, int] = MAP_GRID) -> dict[str, Any]:
    """The public stations in a map view: each station (public fields) when there are at most
    `limit`, else clusters — the view cut into `grid` (columns × rows) cells, one point per
    non-empty
    cell at its stations' mean position with their count, grouped in the database (the
    (lat, lon) index answers the box), so 100,000 stations never reach the browser at once."""
    rows = public_stations()
    if box is not None:
        rows = rows.filter(lat__gte=box.south, lat__lte=box.north, lon__gte=box.west,
                           lon__lte=box.east)
    total = rows.count()
    if total <= (MAP_POINTS if limit is None else limit):
        return {"total": total, "clusters": [], "points": list(
            rows.order_by("id").values("id", "name", "kind", "district", "lat", "lon",
                                       "amenities", "address"))}
    if box is None:
        edge = rows.aggregate(s=Min("lat"), w=Min("lon"), n=Max("lat"), e=Max("lon"))
        box = Box(edge["s"], edge["w"], edge["n"], edge["e"])
    cols, rows_ = grid
    dlat = max((box.north - box.south) / rows_, 1e-6)
    dlon = max((box.east - box.west) / cols, 1e-6)
    # a station on the north or east edge belongs to the last cell
    cells = (rows.annotate(cy=Least(Floor((F("lat") - box.south) / dlat), Value(rows_ - 1.0)),
                           cx=Least(Floor((F("lon") - box.west) / dlon), Value(cols - 1.0)))
             .values("cy", "cx").annotate(n=Count("id"), lat=Avg("lat"), lon=Avg("lon"))
             .order_by("cy", "cx"))
    return {"total": total, "points": [], "clusters": [
        {"lat": round(c["lat"], 5), "lon": round(c["lon"], 5), "count": c["n"]} for c in cells]}


@dataclass(frozen=True)
class Nearby:
    station: Station
    km: float
    open_now: bool


def nearest(*, lat: float, lon: float, k: int = 10, kind: str = "", amenities: int = 0,
            open_now: bool = False, at: dt.datetime | None = None,
            queryset: QuerySet[Station] | None = None,
            start_deg: float = 0.02) -> list[Nearby]:
    """The k stations nearest to (lat, lon), nearest first, ties by id.

    Reads the index range of a box around the point; the exact haversine distance of each
    candidate decides. The answer is final once k candidates lie within the circle the box is
    sure to contain (geo.covered_km); otherwise the box doubles. Filters on kind and amenities
    run in the database, "open now" in Python over the candidates' prefetched hours.
    """
    base = public_stations() if queryset is None else queryset
    if kind:
        base = base.filter(kind=kind)
    base = with_amenities(base, amenities)
    local = timezone.localtime(at or clock.now()).replace(tzinfo=None)
    half = start_deg
    seen: set[int] = set()
    found: list[tuple[float, int, Station]] = []
    while True:
        lat_min, lat_max, lon_min, lon_max = geo.box(lat, lon, half)
        everything = half >= 90
        rows = base if everything else base.filter(lat__gte=lat_min, lat__lte=lat_max,
                                                   lon__gte=lon_min, lon__lte=lon_max)
        if open_now:
            rows = rows.prefetch_related("hours", "exceptions")
        for s in rows:
            if s.pk in seen:
                continue
            seen.add(s.pk)
            if open_now and not hours.station_is_open(s, local):
                continue
            found.append((geo.haversine_km(lat, lon, s.lat, s.lon), s.pk, s))
        best = heapq.nsmallest(k, found, key=lambda t: (t[0], t[1]))
        if everything or (len(best) == k and best[-1][0] <= geo.covered_km(lat, half)):
            break
        half *= 2
    if not open_now and best:
        ids = [s.pk for _d, _i, s in best]
        prefetched = {s.pk: s for s in Station.objects.filter(pk__in=ids)
                      .prefetch_related("hours", "exceptions")}
        return [Nearby(prefetched[i], d, hours.station_is_open(prefetched[i], local))
                for d, i, _s in best]
    return [Nearby(s, d, True) for d, _i, s in best]


def station_counts_by_district(queryset: QuerySet[Station]) -> list[dict[str, Any]]:
    return list(queryset.values("district").annotate(n=Count("id")).order_by("district"))


# --- activities -----------------------------------------------------------------------------

def activity_list(*, viewer: Any, q: str = "", kind: str = "", status: str = "",
                  when: str = "") -> QuerySet[Activity]:
    queryset = scope(Activity.objects.select_related("org"), viewer, READ, path_field="org_path")
    return _filter_activities(queryset, q=q, kind=kind, status=status, when=when)


def _filter_activities(queryset: QuerySet[Activity], *, q: str, kind: str, status: str,
                       when: str) -> QuerySet[Activity]:
    if q:
        queryset = queryset.filter(Q(title__contains=q) | Q(place__contains=q))
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if when == "upcoming":
        queryset = queryset.filter(ends_at__gte=clock.now())
    elif when == "past":
        queryset = queryset.filter(ends_at__lt=clock.now())
    return queryset


def member_activities(member: MemberContext, *, q: str = "", kind: str = "",
                      when: str = "upcoming") -> QuerySet[Activity]:
    """Activities addressed to the member's union subtree (its union and every federation above
    it) and, when an activity names a group, only to that group."""
    queryset = Activity.objects.select_related("org").filter(
        Q(group="") | Q(group__in=member.groups), org_path__in=member.ancestor_paths(),
        status="open")
    return _filter_activities(queryset, q=q, kind=kind, status="", when=when) \
        .order_by("starts_at", "id")


def own_signups(user: Any) -> dict[int, Signup]:
    rows = Signup.objects.filter(user=user, status__in=[SignupStatus.CONFIRMED,
                                                        SignupStatus.WAITING])
    return {s.activity_id: s for s in rows}


def signup_list(activity: Activity, *, status: str = "", q: str = "") -> QuerySet[Signup]:
    queryset = Signup.objects.filter(activity=activity)
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(name__contains=q)
    return queryset.order_by("created_at", "id")


@dataclass(frozen=True)
class Attendance_:
    confirmed: int
    waiting: int
    checked_in: int

    @property
    def rate(self) -> Decimal | None:
        if not self.confirmed:
            return None
        return (Decimal(self.checked_in) * 100 / self.confirmed).quantize(Decimal("0.1"))


def attendance(activity: Activity) -> Attendance_:
    row = Signup.objects.filter(activity=activity).aggregate(
        confirmed=Count("id", filter=Q(status=SignupStatus.CONFIRMED)),
        waiting=Count("id", filter=Q(status=SignupStatus.WAITING)),
        checked_in=Count("id", filter=Q(status=SignupStatus.CONFIRMED,
                                        checked_in_at__isnull=False)))
    return Attendance_(row["confirmed"], row["waiting"], row["checked_in"])


# --- announcements --------------------------------------------------------------------------

def announcement_list(*, viewer: Any, q: str = "", status: str = "") -> QuerySet[Announcement]:
    queryset = scope(Announcement.objects.select_related("org"), viewer, READ,
                     path_field="org_path")
    if q:
        queryset = queryset.filter(title__contains=q)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def inbox(user: Any, *, unread: bool = False, q: str = "") -> QuerySet[Receipt]:
    queryset = Receipt.objects.filter(
        Q(announcement__expires_on__isnull=True)
        | Q(announcement__expires_on__gte=clock.today()),
        user=user, announcement__status="published").select_related("announcement",
                                                                     "announcement__org")
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    if q:
        queryset = queryset.filter(announcement__title__contains=q)
    return queryset.order_by("-announcement__pinned", "-announcement__published_at", "-id")


def unread_count(user: Any) -> int:
    return inbox(user, unread=True).count()


def read_rates(announcement: Announcement) -> list[dict[str, Any]]:
    """Per union (the recipients' union path): recipients, read, rate (%)."""
    rows = (Receipt.objects.filter(announcement=announcement).values("union_path")
            .annotate(total=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)))
            .order_by("union_path"))
    names = dict(Org.objects.filter(path__in=[r["union_path"] for r in rows])
                 .values_list("path", "name"))
    return [{"union": names.get(r["union_path"], r["union_path"]), "path": r["union_path"],
             "total": r["total"], "read": r["read"],
             "rate": (Decimal(r["read"]) * 100 / r["total"]).quantize(Decimal("0.1"))}
            for r in rows]


# --- training and projects -----------------------------------------------------------------

def course_list(*, viewer: Any, q: str = "", year: str = "") -> QuerySet[Course]:
    queryset = scope(Course.objects.select_related("org"), viewer, READ, path_field="org_path")
    if q:
        queryset = queryset.filter(title__contains=q)
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    return queryset


def hours_by_user(*, year: int, user_ids: Any = None) -> dict[int, Decimal]:
    queryset = Attendance.objects.filter(session__starts_at__year=year)
    if user_ids is not None:
        queryset = queryset.filter(user_id__in=list(user_ids))
    return {r["user_id"]: r["h"] for r in
            queryset.values("user_id").annotate(h=Sum("session__hours"))}


def project_list(*, viewer: Any, year: str = "") -> QuerySet[Project]:
    queryset = scope(Project.objects.select_related("org"), viewer, READ, path_field="org_path")
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    return queryset


def project_progress(project: Project) -> list[dict[str, Any]]:
    """Per district: target, done (from the registry), percent, lagging (behind the share of
    the year that has passed)."""
    today = clock.today()
    if project.year < today.year:
        expected = Decimal(100)
    elif project.year > today.year:
        expected = Decimal(0)
    else:
        expected = Decimal(today.timetuple().tm_yday * 100) / (
            366 if today.year % 4 == 0 else 365)
    rows = []
    for t in project.targets.select_related("district").order_by("district__path"):
        stations = Station.objects.filter(org_path__startswith=t.district.path, kind=project.kind)
        if project.metric == ProjectMetric.OPENED:
            done = stations.filter(opened_on__year=project.year).exclude(
                status=StationStatus.REMOVED).count()
        else:
            done = stations.filter(inspections__inspected_on__year=project.year,
                                   inspections__passed=True).distinct().count()
        percent = (Decimal(done) * 100 / t.target).quantize(Decimal("0.1"))
        rows.append({"district": t.district.name, "district_code": t.district.code,
                     "target": t.target, "done": done, "percent": percent,
                     "lagging": percent < expected.quantize(Decimal("0.1"))})
    return rows


def untrained_chairs(*, viewer: Any, year: int) -> list[dict[str, Any]]:
    """Chairs of street unions (the holder of the administrator role at a street-level union
    stands for its 主席 here: the role table has no separate chair) in the viewer's subtrees
    whose training hours this year are below the requirement."""
    from gonghui.accounts.models import RoleAssignment  # why: accounts' model read only here
    from gonghui.outreach.services.training import REQUIRED_HOURS  # why: the rule's one home

    orgs = scope(Org.objects.filter(level="street", status="active"), viewer, READ)
    grants = (RoleAssignment.objects.filter(org__in=orgs, role="admin")
              .select_related("user", "org").order_by("org__path", "user__username"))
    rows = list(grants)
    done = hours_by_user(year=year, user_ids={g.user_id for g in rows})
    return [{"user": g.user, "org": g.org, "hours": done.get(g.user_id, Decimal(0)),
             "missing": REQUIRED_HOURS - done.get(g.user_id, Decimal(0))}
            for g in rows if done.get(g.user_id, Decimal(0)) < REQUIRED_HOURS]


def dashboard(*, viewer: Any, year: int) -> dict[str, Any]:
    stations = scope(Station.objects.all(), viewer, READ, path_field="org_path")
    by_kind = dict(stations.values_list("kind").annotate(n=Count("id")).order_by())
    by_district = station_counts_by_district(stations)
    activities = scope(Activity.objects.filter(starts_at__year=year), viewer, READ,
                       path_field="org_path")
    signups = Signup.objects.filter(activity__in=activities)
    part = signups.aggregate(
        confirmed=Count("id", filter=Q(status=SignupStatus.CONFIRMED)),
        checked=Count("id", filter=Q(status=SignupStatus.CONFIRMED, checked_in_at__isnull=False)),
        waiting=Count("id", filter=Q(status=SignupStatus.WAITING)))
    announcements = scope(Announcement.objects.filter(published_at__year=year), viewer, READ,
                          path_field="org_path")
    receipts = Receipt.objects.filter(announcement__in=announcements).aggregate(
        total=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)))
    courses = scope(Course.objects.filter(year=year), viewer, READ, path_field="org_path")
    attended = Attendance.objects.filter(session__course__in=courses).aggregate(
        people=Count("user", distinct=True), hours=Sum("session__hours"))

    def pct(a: int, b: int) -> Decimal | None:
        return (Decimal(a) * 100 / b).quantize(Decimal("0.1")) if b else None

    return {"stations": stations.count(), "by_kind": by_kind, "by_district": by_district,
            "activities": activities.count(), "participation": part,
            "attendance_rate": pct(part["checked"], part["confirmed"]),
            "announcements": announcements.count(), "receipts": receipts,
            "read_rate": pct(receipts["read"], receipts["total"]),
            "courses": courses.count(), "trained": attended["people"],
            "training_hours": attended["hours"] or Decimal(0)}
