"""Every read of awards that is more than a get: scoped through `accounts.scoping.scope`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.awards.models import (
    LIVE_STATUSES,
    CareKind,
    Competition,
    Entry,
    HonourRecord,
    HonourScheme,
    InnovationResult,
    ModelWorker,
    Nomination,
    NominationStatus,
    Quota,
    Studio,
    WorkerCategory,
)
from gonghui.core import clock, workdays
from gonghui.core.actor import Actor
from gonghui.members.models import HELD_STATUSES, Person
from gonghui.members.validation import id_hash
from gonghui.notices.models import Notice, Objection
from gonghui.orgs.models import Level, Org

READ = Capability.AWARDS_READ


def level_word(level: str) -> str:
    """An honour's level (the org level it was conferred at) in words."""
    return str(dict(Level.choices).get(level, level))


def scheme_list(*, viewer: Actor, year: str = "", kind: str = "",
                q: str = "") -> QuerySet[HonourScheme]:
    """Schemes issued in the viewer's subtrees or above them (those they nominate to)."""
    rows = HonourScheme.objects.select_related("org")
    if not is_global(viewer):
        roots = prefixes(viewer, READ)
        if not roots:
            return rows.none()
        cond = Q()
        for root in roots:
            cond |= Q(org_path__startswith=root)
            # ancestors of the root: every prefix of its path (paths are fixed-width steps)
            cond |= Q(org_path__in=[root[:i] for i in range(4, len(root) + 1, 4)])
        rows = rows.filter(cond)
    if year.strip().isdigit():
        rows = rows.filter(year=int(year))
    if kind:
        rows = rows.filter(kind=kind)
    if q.strip():
        rows = rows.filter(title__icontains=q.strip())
    return rows.order_by("-year", "kind", "id")


def nomination_list(*, viewer: Actor, scheme: HonourScheme | None = None, status: str = "",
                    q: str = "", at_org: Any = None, category: str = "",
                    within: str = "") -> QuerySet[Nomination]:
    rows = scope(Nomination.objects.select_related("scheme", "union", "at_org"), viewer, READ,
                 path_field="union_path")
    if scheme is not None:
        rows = rows.filter(scheme=scheme)
    if status:
        rows = rows.filter(status=status)
    if at_org is not None:
        rows = rows.filter(at_org=at_org)
    if category:
        rows = rows.filter(category=category)
    if within:
        rows = rows.filter(union_path__startswith=within)
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(unit_name__icontains=q.strip()))
    return rows.order_by("scheme", "at_path", "rank", "id")


def quota_use(scheme: HonourScheme, viewer: Actor) -> QuerySet[Quota]:
    return scope(Quota.objects.filter(scheme=scheme).select_related("org"), viewer, READ,
                 path_field="org_path")


def scheme_counts(scheme: HonourScheme, viewer: Actor) -> dict[str, int]:
    rows = (nomination_list(viewer=viewer, scheme=scheme).order_by().values("status")
            .annotate(n=Count("id")))
    return {r["status"]: r["n"] for r in rows}


def frontline_share(rows: QuerySet[Nomination]) -> str:
    live = rows.filter(status__in=LIVE_STATUSES, nominee_type="individual")
    total = live.count()
    if not total:
        return "—"
    front = live.filter(category=WorkerCategory.FRONTLINE).count()
    return f"{100 * front / total:.1f}%"


def model_worker_list(*, viewer: Actor, q: str = "", due: str = "",
                      today: dt.date | None = None) -> QuerySet[ModelWorker]:
    """The register; `due`: "health_check" (none this year) or "visit" (none in 180 days)."""
    rows = scope(ModelWorker.objects.select_related("union"), viewer, READ,
                 path_field="union_path").annotate(honours_count=Count("honours", distinct=True))
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(unit_name__icontains=q.strip()))
    today = today or clock.today()
    if due == "health_check":
        done = ModelWorker.objects.filter(care__kind=CareKind.HEALTH_CHECK,
                                          care__on__year=today.year)
        rows = rows.filter(deceased=False).exclude(pk__in=done.values("pk"))
    elif due == "visit":
        done = ModelWorker.objects.filter(care__kind=CareKind.VISIT,
                                          care__on__gt=today - dt.timedelta(days=180))
        rows = rows.filter(deceased=False).exclude(pk__in=done.values("pk"))
    return rows.order_by("name", "id")


def last_care(worker: ModelWorker) -> dict[str, Any]:
    return dict(worker.care.values_list("kind").annotate(last=Max("on")))


def competition_list(*, viewer: Actor, q: str = "", kind: str = "", status: str = "",
                     year: str = "") -> QuerySet[Competition]:
    rows = scope(Competition.objects.select_related("org"), viewer, READ, path_field="org_path")
    rows = rows.annotate(entries_count=Count("entries"))
    if q.strip():
        rows = rows.filter(title__icontains=q.strip())
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if year.strip().isdigit():
        rows = rows.filter(year=int(year))
    return rows.order_by("-year", "-id")


def studio_list(*, viewer: Actor, q: str = "", level: str = "") -> QuerySet[Studio]:
    rows = scope(Studio.objects.select_related("org", "lead"), viewer, READ,
                 path_field="org_path").annotate(results_count=Count("results"))
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(lead_name__icontains=q.strip()))
    if level:
        rows = rows.filter(level=level)
    return rows.order_by("name", "id")


def result_list(*, viewer: Actor, q: str = "", year: str = "") -> QuerySet[InnovationResult]:
    rows = scope(InnovationResult.objects.select_related("org", "studio"), viewer, READ,
                 path_field="org_path")
    if q.strip():
        rows = rows.filter(Q(title__icontains=q.strip()) | Q(people__icontains=q.strip()))
    if year.strip().isdigit():
        rows = rows.filter(year=int(year))
    return rows.order_by("-year", "id")


def dashboard(*, viewer: Actor) -> dict[str, Any]:
    """Figures over the viewer's subtrees."""
    records = scope(HonourRecord.objects.all(), viewer, READ, path_field="union_path")
    nominations = scope(Nomination.objects.all(), viewer, READ, path_field="union_path")
    entries = scope(Entry.objects.all(), viewer, READ, path_field="union_path")
    return {
        "honours": [{**row, "level": level_word(row["level"])} for row in
                    records.values("level", "year").annotate(n=Count("id"))
                    .order_by("-year", "level")[:30]],
        "nominations": {r["status"]: r["n"] for r in nominations.order_by().values("status")
                        .annotate(n=Count("id"))},
        "frontline_share": frontline_share(nominations),
        "competitions": competition_list(viewer=viewer).count(),
        "participants": entries.count(),
        "studios": studio_list(viewer=viewer).count(),
        "results": result_list(viewer=viewer).count(),
        "model_workers": model_worker_list(viewer=viewer).count(),
        "status_labels": dict(NominationStatus.choices),
    }


def writable_orgs(viewer: Actor, *, limit: int = 300) -> list[Any]:
    """Orgs where the viewer may act for awards (form choices), top-down."""
    rows = scope(Org.objects.filter(status="active"), viewer, Capability.AWARDS_WRITE)
    return list(rows.order_by("path")[:limit])


def find_member(union_path: str, query: str) -> tuple[Any, str]:
    """A held membership's person in a union subtree by ID number or exact name: (person, "")
    or (None, the reason in a sentence)."""
    query = query.strip()
    if not query:
        return None, _("请输入会员姓名或身份证号码。")
    people = Person.objects.filter(memberships__union_path__startswith=union_path,
                                   memberships__status__in=HELD_STATUSES).distinct()
    if len(query) >= 15 and query[:-1].isdigit():
        found = list(people.filter(id_hash=id_hash(query))[:2])
    else:
        found = list(people.filter(name=query)[:3])
    if not found:
        return None, _("本单位在册会员中没有“{q}”。").format(q=query if len(query) < 15 else "该证号")
    if len(found) > 1:
        return None, _("有多名会员叫“{q}”，请输入身份证号码。").format(q=query)
    return found[0], ""


def member_by_pk(union_path: str, pk: int) -> tuple[Any, str]:
    """The person picked in the nominee picker, if they hold a membership in the union's
    subtree: (person, "") or (None, the reason)."""
    person = (Person.objects.filter(pk=pk, memberships__union_path__startswith=union_path,
                                    memberships__status__in=HELD_STATUSES).first())
    if person is None:
        return None, _("所选人员不是本单位在册会员，请重新选择。")
    return person, ""


def nominee_candidates(scheme: HonourScheme, union_path: str, q: str, *,
                       limit: int = 20) -> list[dict[str, Any]]:
    """The nominee picker: held members of the union's subtree whose name starts with `q`
    (or the one ID number typed), with what the share rules need to know — gender, occupation
    — and whether they are already on this scheme. Two queries whatever the count."""
    q = q.strip()
    if not q:
        return []
    people = Person.objects.filter(memberships__union_path__startswith=union_path,
                                   memberships__status__in=HELD_STATUSES).distinct()
    if len(q) >= 15 and q[:-1].isdigit():
        people = people.filter(id_hash=id_hash(q))
    else:
        people = people.filter(name__startswith=q)
    rows = list(people.order_by("name", "pk").only(
        "pk", "name", "gender", "birth_date", "employer_name", "occupation")[:limit])
    taken = set(Nomination.objects.filter(
        scheme=scheme, status__in=LIVE_STATUSES,
        nominee_key__in=[f"p{p.pk}" for p in rows]).values_list("nominee_key", flat=True))
    return [{"pk": p.pk, "name": p.name, "gender": p.get_gender_display(),
             "women": p.gender == "F", "birth_year": p.birth_date.year,
             "unit": p.employer_name, "occupation": p.occupation,
             "taken": f"p{p.pk}" in taken} for p in rows]


def notices_due(*, within_days: int = 2, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Internal (the CLI; no viewer): awards 公示 now running whose end date falls within
    `within_days` working days, or that have ended, with their pending objections."""
    today = today or clock.today()
    horizon = workdays.add_working_days(today, within_days)
    rows = (Notice.objects.filter(kind="awards.honour", status=Notice.Status.PUBLISHED,
                                  end_date__lte=horizon).select_related("org")
            .annotate(pending=Count("objections", filter=Q(
                objections__status=Objection.Status.PENDING)))
            .order_by("end_date", "id"))
    return [{"id": n.pk, "title": n.title, "org": n.org.code, "end_date": n.end_date,
             "ended": n.end_date < today, "pending_objections": n.pending} for n in rows]


def review_queue(*, viewer: Actor) -> QuerySet[Nomination]:
    """Nominations waiting at a level where the viewer may act (for the inbox)."""
    rows = scope(Nomination.objects.select_related("scheme", "at_org"), viewer,
                 Capability.AWARDS_WRITE, path_field="at_path")
    return rows.filter(status=NominationStatus.SUBMITTED).order_by("created_at", "id")
