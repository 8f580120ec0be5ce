"""Activities: create, cancel, sign up (places, FCFS waiting list with automatic promotion),
cancel a sign-up before the deadline, check in with the rotating QR code or the e-card.

The activity row is the lock of its places: sign-up and cancellation take it with
select_for_update, so the last place cannot be given twice, and `taken <= capacity` is also a
database constraint. The waiting list is the WAITING rows in (created_at, id) order — stored,
so it survives restarts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.core.workflow import transition
from gonghui.members.models import Membership
from gonghui.members.services import membership_touch
from gonghui.notifications.services import notify
from gonghui.orgs.models import Org, OrgStatus
from gonghui.outreach.models import (
    ACTIVITY_TRANSITIONS,
    SIGNUP_TRANSITIONS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Group,
    Signup,
    SignupStatus,
)
from gonghui.outreach.permissions import MemberContext

WRITE = Capability.OUTREACH_WRITE
# A check-in code is valid in its own window and the one after it: 30–60 seconds, so a
# screenshot sent to a friend has expired by the time it is used.
QR_WINDOW_SECONDS = 30
FIELDS = ("title", "kind", "description", "place", "starts_at", "ends_at", "capacity", "group",
          "signup_opens", "signup_closes", "cancel_deadline")


def _validate(values: dict[str, Any]) -> None:
    if not (values.get("title") or "").strip() or not (values.get("place") or "").strip():
        raise ApplicationError(_("请填写活动名称和地点。"), extra={"field": "title"})
    if values.get("kind") not in ActivityKind.values:
        raise ApplicationError(_("活动类型不正确。"), extra={"field": "kind"})
    if values.get("group") and values["group"] not in Group.values:
        raise ApplicationError(_("限定群体不正确。"), extra={"field": "group"})
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or capacity < 1:
        raise ApplicationError(_("名额至少为 1。"), extra={"field": "capacity"})
    if values["ends_at"] <= values["starts_at"]:
        raise ApplicationError(_("结束时间必须晚于开始时间。"), extra={"field": "ends_at"})
    if values["signup_closes"] <= values["signup_opens"]:
        raise ApplicationError(_("报名截止时间必须晚于报名开始时间。"),
                               extra={"field": "signup_closes"})
    if values["signup_closes"] > values["starts_at"]:
        raise ApplicationError(_("报名截止时间不能晚于活动开始时间。"),
                               extra={"field": "signup_closes"})
    if values["cancel_deadline"] > values["starts_at"]:
        raise ApplicationError(_("取消报名截止时间不能晚于活动开始时间。"),
                               extra={"field": "cancel_deadline"})


@transaction.atomic
def activity_create(*, org: Org, actor: Actor, **data: Any) -> Activity:
    require_capability(actor, WRITE, org)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("该组织已合并或撤销，不能发布活动。"))
    values = {k: data.get(k) for k in FIELDS}
    values["group"] = values.get("group") or ""
    values["description"] = values.get("description") or ""
    _validate(values)
    activity = Activity.objects.create(org=org, org_path=org.path,
                                       qr_key=secrets.token_hex(16), **values)
    audit_record(actor=actor, action="outreach.activity.create", obj=activity,
                 org_path=org.path, after=values)
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, actor: Actor, reason: str) -> Activity:
    require_capability(actor, WRITE, activity.org)
    if not reason.strip():
        raise ApplicationError(_("请说明取消活动的原因。"), extra={"field": "reason"})
    activity = transition(activity, ActivityStatus.CANCELLED, transitions=ACTIVITY_TRANSITIONS,
                          actor=actor, reason=reason)
    users = list(Signup.objects.filter(activity=activity, status__in=[
        SignupStatus.CONFIRMED, SignupStatus.WAITING]).values_list("user_id", flat=True))
    audit_record(actor=actor, action="outreach.activity.cancel", obj=activity,
                 org_path=activity.org_path, note=reason)
    notify(recipients=users, kind="outreach.activity_cancelled",
           title=_("活动已取消：{title}").format(title=activity.title), body=reason,
           url=reverse("outreach:my_activity", args=[activity.pk]), org_path=activity.org_path,
           actor=actor)
    return activity


def waiting_position(signup: Signup) -> int | None:
    """1 for the first on the waiting list."""
    if signup.status != SignupStatus.WAITING:
        return None
    return Signup.objects.filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lte=signup.pk),
        activity_id=signup.activity_id, status=SignupStatus.WAITING).count()


def signup_create(*, activity: Activity, member: MemberContext, actor: Actor) -> Signup:
    """A confirmed place while any is left, else the end of the waiting list."""
    user = actor_user(actor)
    if user is None:
        raise NotFound()
    with transaction.atomic():
        # the org too: on Citus a row lock names the shard (docs/scale.md)
        locked = Activity.objects.select_for_update().get(pk=activity.pk, org_id=activity.org_id)
        now = clock.now()
        if locked.status != ActivityStatus.OPEN:
            raise Conflict(_("该活动已取消，不能报名。"))
        if now < locked.signup_opens:
            raise Conflict(_("报名尚未开始，开始时间：{t}。").format(t=_local(locked.signup_opens)))
        if now > locked.signup_closes:
            raise Conflict(_("报名已截止。"))
        full = locked.taken >= locked.capacity
        status = SignupStatus.WAITING if full else SignupStatus.CONFIRMED
        try:
            with transaction.atomic():
                signup = Signup.objects.create(
                    activity=locked, org_id=locked.org_id, user=user,
                    membership_id=member.membership_id,
                    union_path=member.union_path, name=member.name, status=status,
                    created_at=now, confirmed_at=None if full else now)
        except IntegrityError:
            raise Conflict(_("您已报名该活动。")) from None
        if not full:
            Activity.objects.filter(pk=locked.pk).update(taken=F("taken") + 1)
        audit_record(actor=actor, action="outreach.signup.create", obj=signup,
                     org_path=locked.org_path, after={"status": status})
    return signup


def signup_cancel(*, signup: Signup, actor: Actor, reason: str = "") -> Signup:
    """The member cancels (until the deadline). A freed place goes to the first on the
    waiting list, who is told."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=signup.activity_id,
                                                            org_id=signup.org_id)
        if clock.now() > activity.cancel_deadline:
            raise Conflict(_("已过取消报名截止时间（{t}），不能取消。").format(
                t=_local(activity.cancel_deadline)))
        was = Signup.objects.get(pk=signup.pk).status
        signup = transition(signup, SignupStatus.CANCELLED, transitions=SIGNUP_TRANSITIONS,
                            actor=actor, reason=reason or _("本人取消"))
        audit_record(actor=actor, action="outreach.signup.cancel", obj=signup,
                     org_path=activity.org_path, before={"status": was})
        if was == SignupStatus.CONFIRMED:
            Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
            if activity.status == ActivityStatus.OPEN:
                _promote(activity, actor)
    return signup


def _promote(activity: Activity, actor: Actor) -> Signup | None:
    first = Signup.objects.filter(activity=activity, status=SignupStatus.WAITING) \
        .order_by("created_at", "id").first()
    if first is None:
        return None
    first = transition(first, SignupStatus.CONFIRMED, transitions=SIGNUP_TRANSITIONS,
                       actor=actor, reason=_("候补递补"), extra_fields={"confirmed_at": clock.now()})
    Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + 1)
    audit_record(actor=actor, action="outreach.signup.promote", obj=first,
                 org_path=activity.org_path)
    notify(recipients=[first.user_id], kind="outreach.waitlist_promoted",
           title=_("候补成功：{title}").format(title=activity.title),
           body=_("有人取消报名，您已从候补名单递补为正式报名。活动时间：{t}，地点：{p}。").format(
               t=_local(activity.starts_at), p=activity.place),
           url=reverse("outreach:my_activity", args=[activity.pk]), org_path=activity.org_path,
           actor=actor)
    return first


# --- check-in -------------------------------------------------------------------------------

def _window(at: dt.datetime) -> int:
    return int(at.timestamp()) // QR_WINDOW_SECONDS


def qr_token(activity: Activity, at: dt.datetime | None = None) -> str:
    """The code the organiser's screen shows now: HMAC(server secret + activity key, activity
    and time window)."""
    key = (settings.SECRET_KEY + activity.qr_key).encode()
    window = _window(at or clock.now())
    return hmac.new(key, f"{activity.pk}:{window}".encode(), hashlib.sha256).hexdigest()[:20]


def qr_valid(activity: Activity, token: str, at: dt.datetime | None = None) -> bool:
    now = at or clock.now()
    return any(hmac.compare_digest(qr_token(activity, now - dt.timedelta(seconds=s)), token)
               for s in (0, QR_WINDOW_SECONDS))


def _check_in(signup: Signup, activity: Activity, method: str, actor: Actor) -> Signup:
    now = clock.now()
    if activity.status != ActivityStatus.OPEN:
        raise Conflict(_("该活动已取消。"))
    if not (activity.starts_at - dt.timedelta(hours=1) <= now <= activity.ends_at):
        raise Conflict(_("只能在活动开始前 1 小时至活动结束期间签到。"))
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(_("只有正式报名的会员可以签到（候补或已取消的不能签到）。"))
    if signup.checked_in_at is not None:
        return signup
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=now, check_in_method=method)
    signup.checked_in_at, signup.check_in_method = now, method
    if signup.membership_id:
        # 自动退会 watch: taking part is union activity (members app, SPEC §2.2).
        membership_touch(membership_id=signup.membership_id, kind="activity",
                         on=clock.today(), actor=actor)
    audit_record(actor=actor, action="outreach.signup.check_in", obj=signup,
                 org_path=activity.org_path, after={"method": method})
    return signup


@transaction.atomic
def check_in_by_code(*, activity: Activity, token: str, actor: Actor) -> Signup:
    """The member scans the organiser's rotating code."""
    if not qr_valid(activity, (token or "").strip()):
        raise ApplicationError(_("签到码无效或已过期，请重新扫描现场屏幕上的二维码。"),
                               extra={"field": "token"})
    signup = Signup.objects.select_for_update().filter(
        activity=activity, org_id=activity.org_id, user=actor_user(actor),
        status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITING]).first()
    if signup is None:
        raise Conflict(_("您没有报名该活动。"))
    return _check_in(signup, activity, "qr", actor)


@transaction.atomic
def check_in_by_card(*, activity: Activity, card_number: str, actor: Actor) -> Signup:
    """The organiser scans (or types) the member's e-card number."""
    require_capability(actor, WRITE, activity.org)
    membership = Membership.objects.filter(card_number=(card_number or "").strip()).first()
    signup = None
    if membership is not None:
        signup = Signup.objects.select_for_update().filter(
            activity=activity, org_id=activity.org_id, membership_id=membership.pk,
            status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITING]).first()
    if signup is None:
        raise ApplicationError(_("该会员证号没有报名此活动。"), extra={"field": "card_number"})
    return _check_in(signup, activity, "card", actor)


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
