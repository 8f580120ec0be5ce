"""Workers' congresses under 企业民主管理规定 (2012): delegates, sessions with their quorum,
resolutions passed by more than half of ALL delegates, and open-affairs items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Employer, Org
from gonghui.rights import clocks
from gonghui.rights.models import Congress, Delegate, OpenAffair, Resolution, Session

# 企业民主管理规定 (2012; issue 14): management delegates at most 20 % of all delegates.
MANAGEMENT_SHARE = Decimal("0.20")


def _write(actor: Actor, congress: Congress) -> None:
    require_capability(actor, Capability.RIGHTS_WRITE, congress.org)


@transaction.atomic
def congress_create(*, org: Org, employer: Employer, name: str, term_start: dt.date,
                    term_end: dt.date, actor: Actor) -> Congress:
    require_capability(actor, Capability.RIGHTS_WRITE, org)
    if not name.strip():
        raise ApplicationError(_("请填写名称。"), extra={"field": "name"})
    if term_end <= term_start:
        raise ApplicationError(_("届满日期应晚于起始日期。"), extra={"field": "term_end"})
    if not employer.area.path.startswith(org.path) and not org.path.startswith(employer.area.path):
        raise ApplicationError(_("该用人单位不在本工会辖区内。"), extra={"field": "employer"})
    congress = Congress.objects.create(org=org, org_path=org.path, employer=employer,
                                       name=name.strip(), term_start=term_start,
                                       term_end=term_end)
    audit_record(actor=actor, action="rights.congress.create", obj=congress, org_path=org.path)
    return congress


@transaction.atomic
def delegate_add(*, congress: Congress, name: str, group: str, is_woman: bool,
                 actor: Actor) -> Delegate:
    _write(actor, congress)
    if not name.strip() or group not in Delegate.Group.values:
        raise ApplicationError(_("请填写代表姓名并选择类别。"), extra={"field": "name"})
    delegate = Delegate.objects.create(congress=congress, name=name.strip(), group=group,
                                       is_woman=is_woman)
    audit_record(actor=actor, action="rights.congress.delegate", obj=congress,
                 org_path=congress.org_path, after={"name": delegate.name, "group": group})
    return delegate


def roster_warnings(congress: Congress) -> list[str]:
    """What the delegates' roster breaks (shown as warnings, the roster is still kept)."""
    rows = list(congress.delegates.filter(active=True))
    total = len(rows)
    if total == 0:
        return [_("尚未登记职工代表。")]
    out = []
    management = sum(1 for d in rows if d.group == Delegate.Group.MANAGEMENT)
    if Decimal(management) > MANAGEMENT_SHARE * total:
        out.append(_("管理人员代表 {m} 人，占 {p}%，超过代表总数的20%（企业民主管理规定）。"
                     ).format(m=management, p=round(100 * management / total)))
    if not any(d.is_woman for d in rows):
        out.append(_("代表中没有女职工代表。"))
    return out


@transaction.atomic
def session_record(*, congress: Congress, held_on: dt.date, title: str,
                   attendee_ids: list[int], actor: Actor) -> Session:
    _write(actor, congress)
    if held_on > clock.today():
        raise ApplicationError(_("召开日期不能晚于今天。"), extra={"field": "held_on"})
    if not title.strip():
        raise ApplicationError(_("请填写会议名称。"), extra={"field": "title"})
    delegates = list(congress.delegates.filter(active=True))
    total = len(delegates)
    if total == 0:
        raise ApplicationError(_("请先登记职工代表。"), extra={"field": "attendees"})
    present = [d for d in delegates if d.pk in set(attendee_ids)]
    if len(present) != len(set(attendee_ids)):
        raise ApplicationError(_("出席名单中有不属于本届职代会的代表。"),
                               extra={"field": "attendees"})
    session = Session.objects.create(congress=congress, held_on=held_on, title=title.strip(),
                                     delegates_total=total, present=len(present))
    session.attendees.set(present)
    if congress.last_session_on is None or held_on > congress.last_session_on:
        Congress.objects.filter(pk=congress.pk).update(last_session_on=held_on)
        congress.last_session_on = held_on
    audit_record(actor=actor, action="rights.congress.session", obj=congress,
                 org_path=congress.org_path,
                 after={"session": session.pk, "present": len(present), "total": total})
    return session


@transaction.atomic
def resolution_record(*, session: Session, title: str, votes_for: int, votes_against: int,
                      abstained: int, actor: Actor) -> Resolution:
    """A vote needs 2/3 of all delegates present; it passes with more than half of ALL."""
    congress = session.congress
    _write(actor, congress)
    if not title.strip():
        raise ApplicationError(_("请填写议题。"), extra={"field": "title"})
    if not clocks.quorum_met(session.present, session.delegates_total):
        raise ApplicationError(
            _("本次会议出席代表 {p} 人，不足全体代表 {t} 人的三分之二，不能进行表决。").format(
                p=session.present, t=session.delegates_total), extra={"field": "title"})
    if min(votes_for, votes_against, abstained) < 0 or \
            votes_for + votes_against + abstained > session.present:
        raise ApplicationError(_("票数合计 {n} 超过出席代表人数 {p}。").format(
            n=votes_for + votes_against + abstained, p=session.present),
            extra={"field": "votes_for"})
    passed = clocks.majority_of_all(votes_for, session.delegates_total)
    resolution = Resolution.objects.create(session=session, title=title.strip(),
                                           votes_for=votes_for, votes_against=votes_against,
                                           abstained=abstained, passed=passed)
    audit_record(actor=actor, action="rights.congress.resolution", obj=congress,
                 org_path=congress.org_path, after={"title": resolution.title, "passed": passed})
    return resolution


@transaction.atomic
def open_affair_publish(*, congress: Congress, title: str, content: str, published_on: dt.date,
                        actor: Actor) -> OpenAffair:
    _write(actor, congress)
    if not title.strip():
        raise ApplicationError(_("请填写公开事项。"), extra={"field": "title"})
    if published_on > clock.today():
        raise ApplicationError(_("公开日期不能晚于今天。"), extra={"field": "published_on"})
    item = OpenAffair.objects.create(congress=congress, title=title.strip(),
                                     content=content.strip(), published_on=published_on)
    audit_record(actor=actor, action="rights.congress.open_affair", obj=congress,
                 org_path=congress.org_path, after={"title": item.title})
    return item
