"""Member self-service in the portal (会员自助): the member's own changes.

- phone and address are not verified fields: the member edits them directly (the phone only
  after proving the new number with the SMS code — the page checks `members.phone_check`);
- education and skill level are checked by the union against a certificate: a request the union
  confirms, applied through `member_update` (the one edit service);
- an employer change starts a transfer request to the new employer's union (`transfer_request`);
- withdrawal (退会) is a request with a reason; the union confirms it through
  `membership_set_status`.
Every change leaves an audit row with before and after. The ID number and the name change only
through a cadre (`member_update`, with a logged reason).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.workflow import transition
from gonghui.members.choices import Education, SkillLevel
from gonghui.members.models import (
    HELD_STATUSES,
    SELF_SERVICE_TRANSITIONS,
    EventKind,
    Membership,
    MembershipStatus,
    Person,
    SelfServiceKind,
    SelfServiceRequest,
    SelfServiceStatus,
    Transfer,
)
from gonghui.members.services._common import event
from gonghui.members.services.memberships import member_update, membership_set_status
from gonghui.members.services.transfers import transfer_request
from gonghui.members.validation import clean_phone
from gonghui.orgs.models import Org

ADDRESS_LIMIT = 255


def _own(actor: Actor) -> tuple[Person, Membership]:
    """The acting worker's person and membership holding 会籍 (404-free: a worker without one
    is told so)."""
    user = actor_user(actor)
    person = Person.objects.filter(user=user).first() if user is not None else None
    membership = (Membership.objects.filter(person=person, status__in=HELD_STATUSES)
                  .select_related("union").first() if person is not None else None)
    if person is None or membership is None:
        raise Forbidden(_("您目前没有会籍，不能办理会员自助事项。"))
    return person, membership


def self_update_contact(*, actor: Actor, phone: str | None = None,
                        address: str | None = None) -> Person:
    """Direct edit of the member's phone (already proven by the SMS code) and address."""
    person, membership = _own(actor)
    changes: dict[str, str] = {}
    if phone is not None:
        changes["phone"] = clean_phone(phone)  # PersonInvalid (field phone) when not a mobile
    if address is not None:
        address = address.strip()
        if len(address) > ADDRESS_LIMIT:
            raise ApplicationError(_("地址最多 {n} 个字。").format(n=ADDRESS_LIMIT),
                                   code="too_long", extra={"field": "address"})
        changes["address"] = address
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = {k: getattr(locked, k) for k in changes if getattr(locked, k) != changes[k]}
        if not before:
            return locked
        after = {k: changes[k] for k in before}
        for name, value in after.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*after, "updated_at"])
        labels = "、".join(str(getattr(Person._meta.get_field(n), "verbose_name", n))
                          for n in sorted(after))
        event(membership, EventKind.EDIT, actor=actor, reason=_("本人修改：{fields}").format(
            fields=labels))
        audit_record(actor=actor, action="member.self_update", obj=membership,
                     org_path=membership.union_path, before=before, after=after)
    return locked


def self_request(*, actor: Actor, kind: str, value: str = "", reason: str = ""
                 ) -> SelfServiceRequest:
    """A request the union confirms: education, skill level (the new value), withdrawal
    (the reason)."""
    person, membership = _own(actor)
    reason = (reason or "").strip()
    value = (value or "").strip()
    if kind == SelfServiceKind.EDUCATION:
        allowed, before = Education.values, person.education
    elif kind == SelfServiceKind.SKILL_LEVEL:
        allowed, before = SkillLevel.values, person.skill_level
    elif kind == SelfServiceKind.WITHDRAW:
        allowed, before = [""], membership.status
        if not reason:
            raise ApplicationError(_("请填写退会原因。"), code="reason_required",
                                   extra={"field": "reason"})
    else:
        raise ApplicationError(_("未知的申请事项。"), code="kind_unknown")
    if value not in allowed or (kind != SelfServiceKind.WITHDRAW and not value):
        raise ApplicationError(_("请选择有效的选项。"), code="invalid_choice",
                               extra={"field": "value"})
    if kind != SelfServiceKind.WITHDRAW and value == before:
        raise ApplicationError(_("与现有信息相同，无需变更。"), code="unchanged",
                               extra={"field": "value"})
    with transaction.atomic():
        try:
            with transaction.atomic():
                request = SelfServiceRequest.objects.create(
                    person=person, membership=membership, union=membership.union,
                    union_path=membership.union_path, kind=kind, value=value,
                    before=str(before), reason=reason[:500])
        except IntegrityError as exc:
            raise Conflict(_("同类申请正在等待工会确认，请勿重复提交。"),
                           code="request_pending") from exc
        audit_record(actor=actor, action="member.self_request", obj=request,
                     org_path=membership.union_path, before={kind: str(before)},
                     after={kind: value} if value else {"withdraw": True}, note=reason)
    return request


def self_request_decide(*, request: SelfServiceRequest, actor: Actor, confirm: bool,
                        reason: str = "") -> SelfServiceRequest:
    """The union confirms (the change goes through the one service of it) or declines with a
    reason the member sees."""
    membership = Membership.objects.select_related("person", "union").get(
        pk=request.membership_id)
    require_capability(actor, Capability.MEMBER_WRITE, membership.union)
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ApplicationError(_("请填写不予确认的原因，会员会看到它。"), code="reason_required")
    target = SelfServiceStatus.CONFIRMED if confirm else SelfServiceStatus.REJECTED
    with transaction.atomic():
        locked = transition(request, target, transitions=SELF_SERVICE_TRANSITIONS,
                            history=False, extra_fields={
                                "decision_reason": reason[:500], "decided_at": clock.now(),
                                "decided_by": actor_user(actor)})
        if confirm and locked.kind == SelfServiceKind.WITHDRAW:
            membership_set_status(membership=membership, target=MembershipStatus.WITHDRAWN,
                                  actor=actor, reason=_("本人申请退会：{reason}").format(
                                      reason=locked.reason))
        elif confirm:
            member_update(membership=membership, fields={locked.kind: locked.value},
                          actor=actor, reason=_("会员本人申请，工会核实确认"))
        audit_record(actor=actor, action="member.self_request_decide", obj=locked,
                     org_path=membership.union_path,
                     before={"status": SelfServiceStatus.PENDING},
                     after={"status": target, "kind": locked.kind}, note=reason)
    return locked


def self_employer_change(*, actor: Actor, to_union: Org, new_employer: str,
                         reason: str = "") -> Transfer:
    """A new employer: the transfer request to its union (the one transfer path)."""
    person, _membership = _own(actor)
    new_employer = (new_employer or "").strip()
    if not new_employer:
        raise ApplicationError(_("请填写新工作单位。"), code="employer_required",
                               extra={"field": "new_employer"})
    return transfer_request(person=person, to_union=to_union, actor=actor,
                            reason=reason or _("更换工作单位"), new_employer=new_employer)


def pending_requests(*, viewer: Any) -> Any:
    """The self-service requests waiting in the viewer's unions (member.read there)."""
    return requests_for(viewer=viewer, status=SelfServiceStatus.PENDING)


def requests_for(*, viewer: Any, status: str = "", kind: str = "") -> Any:
    """The self-service requests of the viewer's unions (member.read there), oldest first;
    `status` / `kind` narrow them ("" = all)."""
    queryset = scope(SelfServiceRequest.objects.all(), viewer, Capability.MEMBER_READ,
                     path_field="union_path")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("person", "union").order_by("created_at", "id")


def own_requests(*, actor: Actor) -> Any:
    """The acting worker's own requests, newest first (none without a registered person)."""
    user = actor_user(actor)
    if user is None:
        return SelfServiceRequest.objects.none()
    return (SelfServiceRequest.objects.filter(person__user=user).select_related("union")
            .order_by("-created_at", "-id"))
