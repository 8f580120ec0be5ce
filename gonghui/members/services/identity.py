"""Who a portal account is (issue 13 items 1 and 2).

Knowing a name and an ID number proves nothing: both are printed on many papers. A worker's own
account is linked to the person of an ID number (and from then on sees that person's card,
payouts, pre-filled phone and employer) only once it has proven to be that person:

- the account's mobile number, proven by the SMS code at registration, is the number on file
  for that person — the one-time code went to the phone on file; or
- a cadre with member.write over the union confirmed it (approving the application, or
  confirming the identity on an application that cannot be approved, e.g. of a member).

Until then the account sees only its own application. The join form answers every worker the
same way, whatever the registry holds (no "name differs", no "member elsewhere"): the case goes
to the union with review flags the worker never sees, and submissions are counted per account
and per address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.accounts import ratelimit
from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.members.models import Application, ApplicationStatus, Membership, Person

# The registration's audit row carries the verified number and the consent (members.portal).
REGISTER_ACTION = "member.portal.register"
LINK_ACTION = "member.portal.link"

# Join-form submissions per hour (settings may tighten them): a worker applies once or twice;
# an office's shared address serves a few dozen workers.
JOIN_LIMIT_PER_ACCOUNT = getattr(settings, "GONGHUI_JOIN_LIMIT_PER_ACCOUNT", 5)
JOIN_LIMIT_PER_IP = getattr(settings, "GONGHUI_JOIN_LIMIT_PER_IP", 30)
JOIN_WINDOW_SECONDS = 3600


class ReviewFlag:
    """What the union checks on a worker's own application before deciding. Shown to cadres
    only: telling the worker would answer "is this ID number on file?"."""

    IDENTITY_UNPROVEN = "identity_unproven"
    NAME_MISMATCH = "name_mismatch"
    ALREADY_MEMBER = "already_member"
    ACCOUNT_LINKED = "account_linked"
    ACCOUNT_HAS_PERSON = "account_has_person"
    OTHER_OPEN_APPLICATION = "other_open_application"

    LABELS = {
        IDENTITY_UNPROVEN: _l("尚未核实申请人是否本人：请核验其身份证件后再批准"),
        NAME_MISMATCH: _l("申请人填写的姓名与该身份证号码登记的姓名不一致"),
        ALREADY_MEMBER: _l("该身份证号码的本人已有会籍：不能批准，请核实后告知本人办理转会"),
        ACCOUNT_LINKED: _l("该身份证号码已关联另一个会员账户"),
        ACCOUNT_HAS_PERSON: _l("申请账户已关联另一个身份证号码"),
        OTHER_OPEN_APPLICATION: _l("该身份证号码另有一份向本工会提交、尚待审批的申请"),
    }


class TooManyAttempts(ApplicationError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__(_("提交过于频繁，请 1 小时后再试；如需帮助请联系工会。"),
                         code="too_many_attempts")


def verified_phone(user: Any) -> str:
    """The mobile number `user` proved with the SMS code at self-registration ("" if none)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    row = AuditEvent.objects.filter(action=REGISTER_ACTION, object_type="accounts.user",
                                    object_id=str(user.pk)).order_by("-id").first()
    return str((row.after or {}).get("verified_phone", "")) if row is not None else ""


def join_attempt(*, user: Any, ip: str | None) -> None:
    """Count one submission of the join form; refuse beyond the hourly limits (per account
    and per address). The counts are shared by every process (accounts.ratelimit: the database,
    or Redis when configured)."""
    over = ratelimit.hit("join-u", str(user.pk),
                         window_seconds=JOIN_WINDOW_SECONDS) > JOIN_LIMIT_PER_ACCOUNT
    if ip:
        over = ratelimit.hit("join-ip", ip,
                             window_seconds=JOIN_WINDOW_SECONDS) > JOIN_LIMIT_PER_IP or over
    if over:
        raise TooManyAttempts()


def review_flags(application: Application) -> list[str]:
    """The flags of a worker's own application, from the registry as it is now."""
    applicant_id = application.applicant_id
    if applicant_id is None:
        return []
    person = application.person
    flags: list[str] = []
    if person.user_id != applicant_id:
        flags.append(ReviewFlag.IDENTITY_UNPROVEN)
    if (application.data or {}).get("name", person.name) != person.name:
        flags.append(ReviewFlag.NAME_MISMATCH)
    if person.member_union_id is not None and application.status == ApplicationStatus.SUBMITTED:
        flags.append(ReviewFlag.ALREADY_MEMBER)
    if person.user_id is not None and person.user_id != applicant_id:
        flags.append(ReviewFlag.ACCOUNT_LINKED)
    if Person.objects.filter(user_id=applicant_id).exclude(pk=person.pk).exists():
        flags.append(ReviewFlag.ACCOUNT_HAS_PERSON)
    if application.status == ApplicationStatus.SUBMITTED and Application.objects.filter(
            person_id=person.pk, union_id=application.union_id,
            status=ApplicationStatus.SUBMITTED).exclude(pk=application.pk).exists():
        flags.append(ReviewFlag.OTHER_OPEN_APPLICATION)
    return flags


def review_labels(application: Application) -> list[str]:
    return [str(ReviewFlag.LABELS[f]) for f in review_flags(application)]


def _link(*, person: Person, user: Any, actor: Actor, basis: str, org_path: str) -> bool:
    """Bind `user` to `person` unless either is bound elsewhere (a compare-and-set: two
    confirmations cannot both win)."""
    if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        return False
    done = Person.objects.filter(pk=person.pk, user__isnull=True).update(user=user)
    if not done:
        return Person.objects.filter(pk=person.pk, user=user).exists()
    person.user = user
    audit_record(actor=actor, action=LINK_ACTION, obj=person, org_path=org_path,
                 after={"user": user.pk, "basis": basis})
    return True


def link_on_submit(*, person: Person, created: bool, name: str, actor: Actor,
                   org_path: str) -> None:
    """At a worker's own submission: link now only when the registry's phone for this person is
    the number the account proved (and nothing else is amiss); otherwise the union decides."""
    user = actor_user(actor)
    if user is None or created or person.user_id is not None:
        return
    phone = verified_phone(user)
    if phone and person.phone == phone and person.name == name:
        _link(person=person, user=user, actor=actor, basis="phone_on_file", org_path=org_path)


def link_on_approval(*, application: Application, actor: Actor) -> None:
    """The cadre approving a worker's own application confirms that the worker is the person."""
    if application.applicant_id is None:
        return
    person = Person.objects.get(pk=application.person_id)
    _link(person=person, user=application.applicant, actor=actor, basis="approval",
          org_path=application.union.path)


def application_confirm_identity(*, application: Application, actor: Actor) -> Person:
    """A cadre checked the applicant's ID card: link the account to the person even where the
    application cannot be approved (the person already holds 会籍). Needs member.write over the
    application's union and, for a member, over the union holding their 会籍."""
    require_capability(actor, Capability.MEMBER_WRITE, application.union)
    if application.applicant_id is None:
        raise ApplicationError(_("这份申请不是会员本人在线提交的，没有需要核实的账户。"),
                               code="no_applicant")
    person = Person.objects.get(pk=application.person_id)
    held = Membership.objects.filter(person=person, status__in=("active", "retired")) \
        .select_related("union").first()
    if held is not None:
        require_capability(actor, Capability.MEMBER_WRITE, held.union)
    with transaction.atomic():
        if not _link(person=person, user=application.applicant, actor=actor,
                     basis="cadre_confirmation", org_path=application.union.path):
            raise Conflict(_("该身份证号码或申请账户已关联其他账户，请先核实。"),
                           code="account_mismatch")
    return person


def register_record(*, user: Any, phone: str, consent_version: str, consent_text: str,
                    actor: Actor) -> None:
    """The registration's row: the proven number and the privacy notice agreed to, word for
    word with its version (PIPL Art. 14, 17)."""
    audit_record(actor=actor, action=REGISTER_ACTION, obj=user,
                 after={"verified_phone": phone, "consent_version": consent_version,
                        "consent_text": consent_text, "at": clock.now()})


def consent_of(user: Any) -> dict[str, Any] | None:
    """The consent stored with a self-registration (None for accounts made by a cadre)."""
    row = AuditEvent.objects.filter(action=REGISTER_ACTION, object_type="accounts.user",
                                    object_id=str(user.pk)).order_by("-id").first()
    if row is None or not row.after:
        return None
    at = row.after.get("at")
    return {"version": row.after.get("consent_version", ""),
            "text": row.after.get("consent_text", ""),
            "at": dt.datetime.fromisoformat(at) if isinstance(at, str) else row.at}
