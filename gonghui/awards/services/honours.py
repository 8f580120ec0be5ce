"""Honour rounds: schemes, quotas, nominations, level-by-level review, 公示, conferral.

Quota rule: a nomination consumes its district's (quota holder's) place when it reaches the
quota holder — on forwarding from a street, or on submission when the nominating union sits
directly under it. The quota row is locked (select_for_update) while places are counted, so two
streets forwarding at the same moment cannot exceed it; a CHECK (used <= quota) backs the lock.
A returned, rejected or withdrawn nomination frees its place.

Composition rules (front-line, technical, manager and women's shares, `shares.py`) are checked
exactly on the list a quota holder forwards and on the issuing union's shortlist, and as an
outlook whenever nominations take a quota holder's places (a street's list, a direct
submission): the quota holder's list must still be able to meet them at its full quota.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.awards.models import (
    LIVE_STATUSES,
    NOMINATION_INITIAL,
    PAST_REVIEW,
    CareRecord,
    HonourKind,
    HonourRecord,
    HonourScheme,
    ModelWorker,
    Nomination,
    NominationHistory,
    NominationStatus,
    NomineeType,
    Quota,
    WorkerCategory,
)
from gonghui.awards.models.honours import NOMINATION_TRANSITIONS, NOMINEE_TYPE
from gonghui.awards.permissions import require_reviewer, require_scheme_manager
from gonghui.awards.services.shares import (
    added,
    composition_problems,
    counts_of,
    outlook_problems,
    pool,
)
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import initial_status, transition, transition_many
from gonghui.members.models import HELD_STATUSES, Membership, Person
from gonghui.notices.models import Notice
from gonghui.notices.services import ItemOutcome, NoticeItemIn, notice_publish
from gonghui.orgs.models import Org

S = NominationStatus
WRITE = Capability.AWARDS_WRITE
NOTICE_KIND = "awards.honour"
SOURCE_TYPE = "awards.nomination"
_PHONE_OR_ID = re.compile(r"1\d{10}|\d{15}")


def _refuse(message: str, code: str, field: str = "") -> ApplicationError:
    return ApplicationError(message, code=code, extra={"field": field} if field else {})


# --- schemes and quotas -------------------------------------------------------------------

def scheme_create(*, org: Org, kind: str, year: int, title: str, actor: Actor,
                  notice_working_days: int = 5, min_frontline_pct: int | None = None,
                  min_technical_pct: int | None = None, max_manager_pct: int | None = None,
                  min_women_pct: int | None = None, exclusion_years: int = 0,
                  nomination_deadline: dt.date | None = None) -> HonourScheme:
    require_capability(actor, WRITE, org)
    if not org.is_active:
        raise _refuse(_("该组织已撤销或合并，不能发起评选。"), "org_inactive", "org")
    if kind not in HonourKind.values:
        raise _refuse(_("请选择荣誉类型。"), "kind", "kind")
    title = title.strip()
    if not title:
        raise _refuse(_("请填写评选名称。"), "title_required", "title")
    if not 2000 <= int(year) <= 2100:
        raise _refuse(_("年度不正确。"), "year", "year")
    if not 1 <= int(notice_working_days) <= 60:
        raise _refuse(_("公示期应为 1 至 60 个工作日。"), "notice_days", "notice_working_days")
    for field, value in (("min_frontline_pct", min_frontline_pct),
                         ("min_technical_pct", min_technical_pct),
                         ("max_manager_pct", max_manager_pct), ("min_women_pct", min_women_pct)):
        if value is not None and not 0 <= int(value) <= 100:
            raise _refuse(_("比例应在 0 至 100 之间。"), "pct", field)
    if HonourScheme.objects.filter(org=org, kind=kind, year=year).exists():
        raise Conflict(_("{org}{year}年度已有“{kind}”评选。").format(
            org=org.name, year=year, kind=HonourKind(kind).label), code="scheme_exists")
    with transaction.atomic():
        scheme = HonourScheme.objects.create(
            org=org, org_path=org.path, kind=kind, year=year, title=title[:200],
            level=org.level, notice_working_days=notice_working_days,
            min_frontline_pct=min_frontline_pct, min_technical_pct=min_technical_pct,
            max_manager_pct=max_manager_pct, min_women_pct=min_women_pct,
            exclusion_years=exclusion_years, nomination_deadline=nomination_deadline)
        audit_record(actor=actor, action="awards.scheme.create", obj=scheme, org_path=org.path,
                     after={"kind": kind, "year": year, "title": title})
    return scheme


def quota_set(*, scheme: HonourScheme, org: Org, quota: int, actor: Actor) -> Quota:
    """Set (or change) a district/industry union's quota; never below the places in use."""
    require_scheme_manager(actor, scheme)
    if not org.path.startswith(scheme.org_path) or org.pk == scheme.org_id:
        raise _refuse(_("名额只能分配给“{org}”下属的工会。").format(org=scheme.org.name),
                      "quota_org", "org")
    if quota < 0:
        raise _refuse(_("名额不能为负数。"), "quota_negative", "quota")
    with transaction.atomic():
        nested = Quota.objects.filter(scheme=scheme).exclude(org=org)
        for row in nested:
            if row.org_path.startswith(org.path) or org.path.startswith(row.org_path):
                raise _refuse(_("“{a}”与已分配名额的“{b}”上下级重叠，名额只能分给同一层级。")
                              .format(a=org.name, b=row.org.name), "quota_nested", "org")
        row, created = Quota.objects.select_for_update().get_or_create(
            scheme=scheme, org=org, defaults={"org_path": org.path, "quota": quota})
        before = None if created else row.quota
        if not created:
            if quota < row.used:
                raise Conflict(_("{org}已报送 {used} 个，名额不能少于 {used}。").format(
                    org=org.name, used=row.used), code="quota_below_used")
            row.quota = quota
            row.save(update_fields=["quota"])
        audit_record(actor=actor, action="awards.quota.set", obj=row, org_path=org.path,
                     before={"quota": before}, after={"quota": quota})
    return row


def quota_for(scheme: HonourScheme, union_path: str) -> Quota | None:
    for row in Quota.objects.filter(scheme=scheme).select_related("org"):
        if union_path.startswith(row.org_path):
            return row
    return None


def _consume(quota: Quota, count: int) -> Quota:
    """Take `count` places under the quota row's lock, or refuse naming the numbers."""
    locked = Quota.objects.select_for_update(of=("self",)).select_related("org").get(pk=quota.pk)
    total = locked.used + count
    if total > locked.quota:
        raise Conflict(
            _("{org}名额 {quota} 个，已报送 {used} 个，本次报送 {count} 个，合计 {total} 个，"
              "超出 {over} 个。").format(org=locked.org.name, quota=locked.quota,
                                        used=locked.used, count=count, total=total,
                                        over=total - locked.quota),
            code="quota_exceeded", extra={"quota": locked.quota, "total": total})
    Quota.objects.filter(pk=locked.pk).update(used=F("used") + count)
    return locked


def _free(nomination: Nomination) -> None:
    if nomination.quota_id is None:
        return
    Quota.objects.select_for_update().filter(pk=nomination.quota_id).update(used=F("used") - 1)
    Nomination.objects.filter(pk=nomination.pk).update(quota=None)
    nomination.quota = None


# --- nominations --------------------------------------------------------------------------

def _check_text(name: str, summary: str) -> None:
    if _PHONE_OR_ID.search(name) or _PHONE_OR_ID.search(summary):
        raise _refuse(_("姓名和事迹摘要会公开公示，不能包含身份证号码或手机号码。"),
                      "public_text", "deeds_summary")


def _nominee_key(nominee_type: str, person: Person | None, name: str, unit: str) -> str:
    if nominee_type == NomineeType.INDIVIDUAL and person is not None:
        return f"p{person.pk}"
    norm = re.sub(r"\s+", "", f"{unit}/{name}" if nominee_type == NomineeType.TEAM else name)
    return ("t" if nominee_type == NomineeType.TEAM else "u") + norm[:290]


def _exclusion(scheme: HonourScheme, person: Person) -> None:
    if not scheme.exclusion_years:
        return
    since = scheme.year - scheme.exclusion_years + 1
    earlier = (HonourRecord.objects.filter(person=person, level=scheme.level, year__gte=since)
               .order_by("-year").first())
    if earlier is not None:
        raise Conflict(
            _("{name}已于 {year} 年获得“{title}”（同级荣誉），按本项目规则 {n} 年内不得再次推荐。")
            .format(name=person.name, year=earlier.year, title=earlier.title,
                    n=scheme.exclusion_years), code="recently_honoured")


def _history(nomination: Nomination, old: str, new: str, *, actor: Actor, reason: str = "",
             level: Org | None = None, rank: int | None = None) -> NominationHistory:
    return NominationHistory.objects.create(
        nomination=nomination, from_status=old, to_status=new, actor=actor_user(actor),
        actor_name=actor_name(actor), at=clock.now(), reason=reason[:500],
        level_name=level.name if level else "", rank=rank)


def _arrive(nominations: Sequence[Nomination], dest: Org, scheme: HonourScheme) -> None:
    """Nominations reach `dest`: those arriving at (or above) their quota holder take a place."""
    by_quota: dict[int, tuple[Quota, list[Nomination]]] = {}
    for n in nominations:
        if n.quota_id is not None:
            continue
        row = quota_for(scheme, n.union_path)
        if row is not None and row.org_path.startswith(dest.path):
            by_quota.setdefault(row.pk, (row, []))[1].append(n)
    for row, rows in by_quota.values():
        locked = _consume(row, len(rows))
        if scheme.has_shares:  # under the quota row's lock: concurrent streets see each other
            problems = outlook_problems(scheme, locked.org.name, locked.quota,
                                        added(counts_of(pool(locked)), counts_of(rows)))
            if problems:
                raise Conflict(_("报送后{org}的名单将无法符合评选条件：").format(
                    org=locked.org.name) + " ".join(problems), code="composition_outlook",
                    extra={"problems": problems})
        Nomination.objects.filter(pk__in=[n.pk for n in rows]).update(quota=row)
        for n in rows:
            n.quota = row


def nomination_create(*, scheme: HonourScheme, union: Org, actor: Actor, deeds: str,
                      deeds_summary: str, person: Person | None = None, name: str = "",
                      unit_name: str = "", category: str = "", job_title: str = "") -> Nomination:
    """A union nominates a person (unit, team) with their deeds; the nomination goes to the
    union's parent for review."""
    require_capability(actor, WRITE, union)
    if not union.is_active:
        raise _refuse(_("该组织已撤销或合并，不能推荐。"), "org_inactive", "union")
    if not union.path.startswith(scheme.org_path) or union.pk == scheme.org_id:
        raise _refuse(_("只有“{org}”下属的工会可以推荐参加本项评选。").format(
            org=scheme.org.name), "union_outside", "union")
    if scheme.nomination_deadline and clock.today() > scheme.nomination_deadline:
        raise Conflict(_("推荐已于 {d} 截止。").format(d=scheme.nomination_deadline),
                       code="deadline_passed")
    nominee_type = NOMINEE_TYPE[HonourKind(scheme.kind)]
    deeds, deeds_summary = deeds.strip(), deeds_summary.strip()
    gender = ""
    if nominee_type == NomineeType.INDIVIDUAL:
        if person is None:
            raise _refuse(_("请选择被推荐人。"), "person_required", "person")
        membership = (Membership.objects.select_related("union")
                      .filter(person=person, status__in=HELD_STATUSES,
                              union_path__startswith=union.path).first())
        if membership is None:
            raise _refuse(_("{name}不是本单位在册会员，不能由本单位推荐。").format(
                name=person.name), "not_member", "person")
        if category not in WorkerCategory.values:
            raise _refuse(_("请选择人员类别（一线职工、技术人员、管理人员）。"), "category",
                          "category")
        name = person.name
        unit_name = unit_name.strip() or person.employer_name or membership.union.name
        gender = person.gender
        _exclusion(scheme, person)
    else:
        person = None
        name = name.strip()
        unit_name = unit_name.strip() or union.name
        if not name:
            raise _refuse(_("请填写被推荐单位或集体的名称。"), "name_required", "name")
    if not deeds:
        raise _refuse(_("请填写主要事迹。"), "deeds_required", "deeds")
    if not deeds_summary or len(deeds_summary) > 200:
        raise _refuse(_("请填写 200 字以内的事迹摘要（用于公示）。"), "summary", "deeds_summary")
    _check_text(name, deeds_summary)
    dest = union.get_parent()
    key = _nominee_key(nominee_type, person, name, unit_name)
    clash = (Nomination.objects.filter(scheme=scheme, nominee_key=key, status__in=LIVE_STATUSES)
             .select_related("union").first())
    if clash is not None:
        raise Conflict(_("{name}已由“{union}”推荐参加“{scheme}”，同一对象每年每项只能推荐一次。")
                       .format(name=name, union=clash.union.name, scheme=scheme.title),
                       code="duplicate_nominee")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                scheme=scheme, org_id=scheme.org_id, union=union, union_path=union.path,
                at_org=dest,
                at_path=dest.path, nominee_type=nominee_type, person=person, nominee_key=key,
                name=name[:200], unit_name=unit_name[:200], gender=gender,
                category=category if nominee_type == NomineeType.INDIVIDUAL else "",
                job_title=job_title.strip()[:100], deeds=deeds, deeds_summary=deeds_summary,
                status=initial_status(Nomination, S.SUBMITTED, initial=NOMINATION_INITIAL),
                created_by=actor_user(actor), created_at=clock.now())
            _arrive([nomination], dest, scheme)
            _history(nomination, "", S.SUBMITTED, actor=actor, level=union,
                     reason=_("推荐上报"))
            audit_record(actor=actor, action="awards.nomination.create", obj=nomination,
                         org_path=union.path,
                         after={"scheme": scheme.pk, "name": name, "to": dest.code})
    except IntegrityError as exc:  # the partial unique index: a concurrent nomination won
        raise Conflict(_("{name}已被推荐参加“{scheme}”，同一对象每年每项只能推荐一次。").format(
            name=name, scheme=scheme.title), code="duplicate_nominee") from exc
    return nomination


def nomination_resubmit(*, nomination: Nomination, actor: Actor, deeds: str = "",
                        deeds_summary: str = "", note: str = "") -> Nomination:
    """The nominating union sends a returned nomination again (corrected), to its parent."""
    require_capability(actor, WRITE, nomination.union)
    if nomination.status != S.RETURNED:
        raise Conflict(_("只有被退回的推荐可以重新上报。"), code="not_returned")
    if deeds.strip():
        nomination.deeds = deeds.strip()
    if deeds_summary.strip():
        if len(deeds_summary.strip()) > 200:
            raise _refuse(_("请填写 200 字以内的事迹摘要（用于公示）。"), "summary",
                          "deeds_summary")
        _check_text(nomination.name, deeds_summary)
        nomination.deeds_summary = deeds_summary.strip()
    dest = nomination.union.get_parent()
    with transaction.atomic():
        locked = transition(nomination, S.SUBMITTED, transitions=NOMINATION_TRANSITIONS,
                            actor=actor, history=False,
                            extra_fields={"at_org": dest, "at_path": dest.path, "rank": None,
                                          "deeds": nomination.deeds,
                                          "deeds_summary": nomination.deeds_summary})
        _arrive([locked], dest, nomination.scheme)
        _history(locked, S.RETURNED, S.SUBMITTED, actor=actor, level=nomination.union,
                 reason=note.strip() or _("修改后重新上报"))
        audit_record(actor=actor, action="awards.nomination.resubmit", obj=locked,
                     org_path=nomination.union_path)
    return locked


def level_list(scheme: HonourScheme, org: Org) -> QuerySet[Nomination]:
    """The list `org` has sent up and that is still alive (for the composition check)."""
    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
    return (Nomination.objects.filter(scheme=scheme, union_path__startswith=org.path)
            .filter(Q(status__in=PAST_REVIEW) | Q(status=S.SUBMITTED, at_path__in=ancestors)))


def list_forward(*, scheme: HonourScheme, org: Org, nomination_ids: Sequence[int],
                 actor: Actor, note: str = "") -> list[Nomination]:
    """`org` passes its list (in its ranking order) to the next level up — or, at the issuing
    union, shortlists it for 公示. Checks the quota and the composition rules."""
    require_capability(actor, WRITE, org)
    ids = [int(i) for i in nomination_ids]
    if not ids:
        raise _refuse(_("请选择要报送的推荐对象。"), "empty_list", "nominations")
    if len(set(ids)) != len(ids):
        raise _refuse(_("名单中有重复的推荐对象。"), "duplicate_ids", "nominations")
    final = org.pk == scheme.org_id
    if not final and not org.path.startswith(scheme.org_path):
        raise _refuse(_("该工会不在本项评选范围内。"), "org_outside", "org")
    dest = org if final else org.get_parent()
    with transaction.atomic():
        rows = list(Nomination.objects.select_for_update().filter(
            scheme=scheme, org_id=scheme.org_id, pk__in=ids))
        found = {n.pk: n for n in rows}
        for pk in ids:
            n = found.get(pk)
            if n is None or n.at_org_id != org.pk or n.status != S.SUBMITTED:
                raise Conflict(_("编号 {pk} 的推荐不在“{org}”待审名单中（可能已被处理）。").format(
                    pk=pk, org=org.name), code="not_at_level")
        ordered = [found[pk] for pk in ids]
        holds_quota = Quota.objects.filter(scheme=scheme, org=org).exists()
        if final or holds_quota:
            problems = composition_problems(scheme, ordered, level_list(scheme, org))
            if problems:
                raise Conflict(_("{org}报送名单不符合评选条件：").format(org=org.name)
                               + " ".join(problems), code="composition",
                               extra={"problems": problems})
        if not final:
            _arrive(ordered, dest, scheme)
        target = S.SHORTLISTED if final else S.SUBMITTED
        transition_many(Nomination.objects.filter(pk__in=ids, status=S.SUBMITTED), target,
                        transitions=NOMINATION_TRANSITIONS,
                        extra_fields={"at_org": dest, "at_path": dest.path})
        for position, n in enumerate(ordered, start=1):
            n.rank = position
        Nomination.objects.bulk_update(ordered, ["rank"], batch_size=500)
        now, user, name = clock.now(), actor_user(actor), actor_name(actor)
        reason = note.strip()[:500] or (_("审核通过，拟表彰") if final
                                        else _("审核通过，报送{dest}").format(dest=dest.name))
        NominationHistory.objects.bulk_create([
            NominationHistory(nomination=n, org_id=n.org_id, from_status=S.SUBMITTED,
                              to_status=target,
                              actor=user, actor_name=name, at=now, reason=reason,
                              level_name=org.name, rank=n.rank) for n in ordered],
            batch_size=500)
        audit_record(actor=actor, action="awards.list.forward", obj=scheme, org_path=org.path,
                     after={"org": org.code, "to": dest.code, "count": len(ids),
                            "shortlisted": final})
    return list(Nomination.objects.filter(pk__in=ids).order_by("rank"))


def nomination_return(*, nomination: Nomination, reason: str, actor: Actor) -> Nomination:
    """Send back to the nominating union for correction (history kept; place freed)."""
    require_reviewer(actor, nomination)
    reason = reason.strip()
    if not reason:
        raise _refuse(_("请填写退回原因。"), "reason_required", "reason")
    with transaction.atomic():
        old = nomination.status
        locked = transition(nomination, S.RETURNED, transitions=NOMINATION_TRANSITIONS,
                            history=False, extra_fields={"rank": None})
        _free(locked)
        _history(locked, old, S.RETURNED, actor=actor, reason=reason, level=nomination.at_org)
        audit_record(actor=actor, action="awards.nomination.return", obj=locked,
                     org_path=locked.union_path, note=reason)
    return locked


def nomination_reject(*, nomination: Nomination, reason: str, actor: Actor) -> Nomination:
    require_reviewer(actor, nomination)
    reason = reason.strip()
    if not reason:
        raise _refuse(_("请填写不予通过的原因。"), "reason_required", "reason")
    with transaction.atomic():
        old = nomination.status
        locked = transition(nomination, S.REJECTED, transitions=NOMINATION_TRANSITIONS,
                            history=False)
        _free(locked)
        _history(locked, old, S.REJECTED, actor=actor, reason=reason, level=nomination.at_org)
        audit_record(actor=actor, action="awards.nomination.reject", obj=locked,
                     org_path=locked.union_path, note=reason)
    return locked


def nomination_withdraw(*, nomination: Nomination, reason: str, actor: Actor) -> Nomination:
    """The nominating union withdraws its own nomination before 公示."""
    require_capability(actor, WRITE, nomination.union)
    reason = reason.strip()
    if not reason:
        raise _refuse(_("请填写撤销原因。"), "reason_required", "reason")
    if nomination.status not in (S.SUBMITTED, S.RETURNED):
        raise Conflict(_("该推荐已进入公示或已结束，不能撤销。"), code="too_late")
    with transaction.atomic():
        old = nomination.status
        locked = transition(nomination, S.WITHDRAWN, transitions=NOMINATION_TRANSITIONS,
                            history=False)
        _free(locked)
        _history(locked, old, S.WITHDRAWN, actor=actor, reason=reason, level=nomination.union)
        audit_record(actor=actor, action="awards.nomination.withdraw", obj=locked,
                     org_path=locked.union_path, note=reason)
    return locked


# --- 公示, approval, conferral ------------------------------------------------------------

def scheme_notice_publish(*, scheme: HonourScheme, actor: Actor,
                          start_date: dt.date | None = None) -> Notice:
    """Publish the shortlist as a 公示 through the notices kernel (N working days)."""
    require_scheme_manager(actor, scheme)
    with transaction.atomic():
        rows = list(Nomination.objects.select_for_update()
                    .filter(scheme=scheme, org_id=scheme.org_id, status=S.SHORTLISTED)
                    .order_by("at_path", "rank", "id"))
        if not rows:
            raise Conflict(_("没有拟表彰对象，不能发布公示。"), code="nothing_to_publish")
        notice = notice_publish(
            kind=NOTICE_KIND, title=_("{title}拟表彰对象公示").format(title=scheme.title),
            org=scheme.org, working_days=scheme.notice_working_days, start_date=start_date,
            body=_("如有异议，请在公示期内实名提出。"),
            items=[NoticeItemIn(text=n.public_text, source_type=SOURCE_TYPE,
                                source_id=str(n.pk)) for n in rows],
            capability=WRITE, actor=actor)
        transition_many(Nomination.objects.filter(pk__in=[n.pk for n in rows]), S.IN_NOTICE,
                        transitions=NOMINATION_TRANSITIONS, extra_fields={"notice": notice})
        now, user, name = clock.now(), actor_user(actor), actor_name(actor)
        reason = _("公示 {start} 至 {end}").format(start=notice.start_date, end=notice.end_date)
        NominationHistory.objects.bulk_create([
            NominationHistory(nomination=n, org_id=n.org_id, from_status=S.SHORTLISTED,
                              to_status=S.IN_NOTICE,
                              actor=user, actor_name=name, at=now, reason=reason,
                              level_name=scheme.org.name, rank=n.rank) for n in rows],
            batch_size=500)
        audit_record(actor=actor, action="awards.notice.publish", obj=scheme,
                     org_path=scheme.org_path, after={"notice": notice.pk, "count": len(rows)})
    return notice


def on_notice_close(*, notice: Notice, outcomes: list[ItemOutcome], actor: Actor) -> None:
    """The notices kernel closes an awards 公示: upheld objection → withdrawn (place freed),
    otherwise approved."""
    ids = {int(o.source_id): o for o in outcomes if o.source_type == SOURCE_TYPE}
    rows = Nomination.objects.select_related("scheme").filter(pk__in=list(ids),
                                                              status=S.IN_NOTICE)
    for n in rows:
        upheld = ids[n.pk].upheld
        target = S.WITHDRAWN if upheld else S.APPROVED
        locked = transition(n, target, transitions=NOMINATION_TRANSITIONS, history=False)
        if upheld:
            _free(locked)
        _history(locked, S.IN_NOTICE, target, actor=actor, level=n.scheme.org,
                 reason=_("公示期间异议成立，撤销推荐") if upheld else _("公示期满无异议，批准"))
        audit_record(actor=actor, action="awards.nomination.notice_outcome", obj=locked,
                     org_path=locked.union_path, after={"status": target})


def scheme_confer(*, scheme: HonourScheme, actor: Actor) -> int:
    """Confer the honour on every approved nomination; people enter the model-worker
    register (劳模档案) with this honour."""
    require_scheme_manager(actor, scheme)
    with transaction.atomic():
        rows = list(Nomination.objects.select_for_update(of=("self",))
                    .select_related("person", "union")
                    .filter(scheme=scheme, org_id=scheme.org_id, status=S.APPROVED))
        if not rows:
            raise Conflict(_("没有已批准的对象可授予。"), code="nothing_to_confer")
        transition_many(Nomination.objects.filter(pk__in=[n.pk for n in rows]), S.CONFERRED,
                        transitions=NOMINATION_TRANSITIONS)
        now, user, name = clock.now(), actor_user(actor), actor_name(actor)
        NominationHistory.objects.bulk_create([
            NominationHistory(nomination=n, org_id=n.org_id, from_status=S.APPROVED,
                              to_status=S.CONFERRED,
                              actor=user, actor_name=name, at=now, reason=_("授予荣誉"),
                              level_name=scheme.org.name) for n in rows], batch_size=500)
        for n in rows:
            worker = None
            if n.person is not None:
                worker, _created = ModelWorker.objects.get_or_create(
                    person=n.person, defaults={
                        "union": n.union, "union_path": n.union_path, "name": n.name,
                        "unit_name": n.unit_name, "birth_date": n.person.birth_date})
            HonourRecord.objects.create(
                model_worker=worker, person=n.person, union_path=n.union_path, name=n.name,
                kind=scheme.kind, level=scheme.level, year=scheme.year, title=scheme.title,
                nomination=n)
        audit_record(actor=actor, action="awards.scheme.confer", obj=scheme,
                     org_path=scheme.org_path, after={"count": len(rows)})
    return len(rows)


def path_changed(*, old_prefix: str, new_prefix: str) -> None:
    """The org.path_changed hook: rewrite the denormalised paths of a moved subtree."""
    def rewrite(model: Any, field: str) -> None:
        model.objects.filter(**{f"{field}__startswith": old_prefix}).update(
            **{field: Concat(Value(new_prefix), Substr(field, len(old_prefix) + 1))})

    for model, field in ((HonourScheme, "org_path"), (Quota, "org_path"),
                         (Nomination, "union_path"), (Nomination, "at_path"),
                         (ModelWorker, "union_path"), (HonourRecord, "union_path"),
                         (CareRecord, "union_path")):
        rewrite(model, field)
