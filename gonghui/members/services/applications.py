"""Join applications (网上入会): submit, approve, reject, withdraw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.core.workflow import transition
from gonghui.members.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    CaseEvent,
    Membership,
    Person,
)
from gonghui.members.services import _common, deadlines, identity
from gonghui.members.services._common import (
    already_member,
    open_membership,
    person_for,
    require_member_union,
)
from gonghui.members.services.memberships import (
    _recount_new_employment,
    apply_person_fields,
    person_snapshot,
)
from gonghui.members.validation import validate_person
from gonghui.orgs.models import Org


def _history(application: Application, old: str, new: str, *, actor: Actor, reason: str = "") -> None:
    _common.insert(CaseEvent(
        application=application, union_id=application.union_id, from_status=old, to_status=new,
        actor=actor_user(actor), actor_name=actor_name(actor), at=clock.now(), reason=reason[:500],
    ))


def _from_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """An application's JSON data back to model values."""
    values = dict(data)
    if values.get("birth_date"):
        values["birth_date"] = dt.date.fromisoformat(values["birth_date"])
    if values.get("monthly_wage") not in (None, ""):
        values["monthly_wage"] = Decimal(values["monthly_wage"])
    return values


def application_submit(
    *, union: Org, fields: Mapping[str, object], actor: Actor, basis: str = ""
) -> Application:
    """A worker (or a cadre on their behalf) applies to join `union`.

    A cadre is told why an ID number cannot join (a name that does not match the registered
    person, 会籍 held elsewhere). A worker applying for themselves is told nothing of what the
    registry holds (issue 13 item 2): every such application goes to the union, which sees its
    review flags (members.services.identity), and the account is linked to the person only once
    it has proven to be that person (item 1)."""
    require_member_union(union)
    today = clock.today()
    vp = validate_person(fields, today=today, required=("phone",))
    applicant = actor_user(actor)
    is_self = applicant is not None and not has_capability(applicant, Capability.MEMBER_WRITE,
                                                            union)
    with transaction.atomic():
        person, created = person_for(vp)
        if is_self:
            identity.link_on_submit(person=person, created=created, name=vp.name, actor=actor,
                                    org_path=union.path)
        else:
            if not created and person.name != vp.name:
                raise Conflict(_("该身份证号码已登记的姓名与您填写的不一致；请核对，或联系工会处理。"),
                               code="name_mismatch")
            if person.member_union_id is not None:
                raise already_member(person, actor)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    person=person, union=union, applicant=applicant if is_self else None,
                    data=vp.data(), basis=basis[:200], due_on=deadlines.due_on(union, today),
                )
        except IntegrityError as exc:
            # only this account's own open application (or, for a cadre, the union's) collides:
            # another account's application never does, so this says nothing of the registry
            raise Conflict(_("已有一份提交给该工会的入会申请正在审批中，请耐心等待。"),
                           code="application_open") from exc
        _history(application, "", ApplicationStatus.SUBMITTED, actor=actor, reason=basis)
        audit_record(actor=actor, action="application.submit", obj=application,
                     org_path=union.path,
                     after={"union": union.code, "person": person_snapshot(person),
                            "basis": basis})
    return application


def _require_decider(actor: Actor, application: Application) -> None:
    """member.write over the union; an appealed application is decided one level up (复核)."""
    union = application.union
    if application.status != ApplicationStatus.APPEALED:
        require_capability(actor, Capability.MEMBER_WRITE, union)
        return
    parent = _higher_union(union) or union
    if has_capability(actor, Capability.MEMBER_WRITE, parent):
        return
    if has_capability(actor, Capability.MEMBER_READ, union):
        raise Forbidden(_("申诉由上级工会复核。"))
    raise NotFound()


def _higher_union(union: Org) -> Org | None:
    return Org.objects.get_parent(union) if union.depth > 1 else None


def application_approve(*, application: Application, actor: Actor, reason: str = "") -> Membership:
    """Approve: open the membership (joined today). If the person became a member elsewhere in
    the meantime, the unique index says so and the application stays pending."""
    union = application.union
    _require_decider(actor, application)
    require_member_union(union)
    before_status = application.status
    today = clock.today()
    decision: dict[str, Any] = {"decided_by": actor_user(actor), "decided_at": clock.now(),
                                "decision_reason": reason[:500]}
    with transaction.atomic():
        # in a bulk slice the membership's id is known ahead: linked with the status (one UPDATE)
        membership_id = _common.membership_id_ahead()
        if membership_id is not None:
            decision["membership_id"] = membership_id
        locked = transition(
            application, ApplicationStatus.APPROVED, transitions=APPLICATION_TRANSITIONS,
            write_history=lambda a, old, new: _history(a, old, new, actor=actor, reason=reason),
            extra_fields=decision, compare_and_set=True,
        )
        # No lock on the person: two approvals for one person race on the unique index.
        person = Person.objects.get(pk=locked.person_id)
        locked.person = person  # the audit row names the applicant: no second read
        membership = open_membership(person=person, union=union, joined_on=today,
                                     seniority_since=today, actor=actor,
                                     reason=_("网上入会申请批准"), membership_id=membership_id)
        old_group = person.new_employment_group
        changed = apply_person_fields(person, _from_data(locked.data))
        if changed:
            person.save(update_fields=[*changed, "updated_at"])
            if "new_employment_group" in changed:
                _recount_new_employment(person, old_group)
        if membership_id is None:
            Application.objects.filter(pk=locked.pk).update(membership=membership)
        locked.membership = membership
        # the cadre's approval is the confirmation that the worker is this person (issue 13)
        identity.link_on_approval(application=locked, actor=actor)
        audit_record(actor=actor, action="application.approve", obj=locked, org_path=union.path,
                     before={"status": before_status},
                     after={"status": ApplicationStatus.APPROVED,
                            "card_number": membership.card_number}, note=reason)
    return membership


def application_reject(*, application: Application, actor: Actor, reason: str) -> Application:
    """Reject with a reason the applicant sees (after an appeal: the higher union's final word)."""
    _require_decider(actor, application)
    before_status = application.status
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写不予批准的原因，申请人会看到它。"), code="reason_required")
    with transaction.atomic():
        locked = transition(
            application, ApplicationStatus.REJECTED, transitions=APPLICATION_TRANSITIONS,
            write_history=lambda a, old, new: _history(a, old, new, actor=actor, reason=reason),
            extra_fields={"decided_by": actor_user(actor), "decided_at": clock.now(),
                          "decision_reason": reason[:500]},
        )
        audit_record(actor=actor, action="application.reject", obj=locked,
                     org_path=application.union.path,
                     before={"status": before_status},
                     after={"status": ApplicationStatus.REJECTED}, note=reason)
    return locked


def application_withdraw(*, application: Application, actor: Actor) -> Application:
    """The applicant takes their own application back."""
    user = actor_user(actor)
    if user is None or application.applicant_id != user.pk:
        raise Forbidden()
    with transaction.atomic():
        locked = transition(
            application, ApplicationStatus.WITHDRAWN, transitions=APPLICATION_TRANSITIONS,
            write_history=lambda a, old, new: _history(a, old, new, actor=actor),
        )
        audit_record(actor=actor, action="application.withdraw", obj=locked,
                     org_path=application.union.path,
                     before={"status": ApplicationStatus.SUBMITTED},
                     after={"status": ApplicationStatus.WITHDRAWN})
    return locked


def appeal_union(application: Application) -> Org | None:
    """The union a declined application may still be appealed to, or None (not declined,
    already appealed once, or no union above)."""
    if application.status != ApplicationStatus.REJECTED or application.appealed_at is not None:
        return None
    return _higher_union(application.union)


def application_appeal(*, application: Application, actor: Actor, reason: str) -> Application:
    """The declined applicant appeals, once, to the next union up (复核): the application waits
    again, with a new deadline, for that union's decision."""
    user = actor_user(actor)
    if user is None or application.applicant_id != user.pk:
        raise Forbidden()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写申诉理由。"), code="reason_required")
    if application.appealed_at is not None:
        raise Conflict(_("每份申请只能申诉一次，上级工会的复核意见为最终意见。"),
                       code="appeal_once")
    parent = _higher_union(application.union)
    if parent is None:
        raise ApplicationError(_("该工会没有上级工会，不能申诉。"), code="no_higher_union")
    today = clock.today()
    with transaction.atomic():
        locked = transition(
            application, ApplicationStatus.APPEALED, transitions=APPLICATION_TRANSITIONS,
            write_history=lambda a, old, new: _history(a, old, new, actor=actor, reason=reason),
            extra_fields={"appealed_at": clock.now(), "appeal_reason": reason[:500],
                          "due_on": deadlines.due_on(parent, today)},
        )
        audit_record(actor=actor, action="application.appeal", obj=locked,
                     org_path=application.union.path,
                     before={"status": ApplicationStatus.REJECTED},
                     after={"status": ApplicationStatus.APPEALED, "to": parent.code},
                     note=reason)
    return locked
