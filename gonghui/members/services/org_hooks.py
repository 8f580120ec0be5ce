"""What the org tree asks of the member registry (core.hooks, registered in MembersConfig.ready):
occupancy before a dissolve, members following a merge, and path rewrites after a move."""

from __future__ import annotations

from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError
from gonghui.core.rowmove import move_rows
from gonghui.core.workflow import transition
from gonghui.members.models import (
    HELD_STATUSES,
    TRANSFER_TRANSITIONS,
    Application,
    ApplicationStatus,
    CaseEvent,
    EventKind,
    Membership,
    MembershipStatus,
    OrgMemberMonth,
    OrgMemberStats,
    Transfer,
    TransferStatus,
)
from gonghui.members.services import _common
from gonghui.orgs.models import Org


def org_occupancy(org: Org) -> list[str]:
    reasons = []
    held = Membership.objects.filter(union=org, status__in=HELD_STATUSES).count()
    if held:
        reasons.append(_("{n} 名在册会员").format(n=held))
    pending = Application.objects.filter(union=org, status=ApplicationStatus.SUBMITTED).count()
    if pending:
        reasons.append(_("{n} 份待审批的入会申请").format(n=pending))
    return reasons


def org_path_changed(*, old_prefix: str, new_prefix: str) -> None:
    """Rewrite the denormalised union paths of a moved subtree (same transaction as the move)."""
    cut = len(old_prefix) + 1
    for model, field in ((Membership, "union_path"), (OrgMemberStats, "org_path"),
                         (OrgMemberMonth, "org_path")):
        model.objects.filter(**{f"{field}__startswith": old_prefix}).update(
            **{field: Concat(Value(new_prefix), Substr(F(field), cut))}
        )


def org_merge(*, source: Org, target: Org, actor: Actor) -> None:
    """Members of `source` follow it into `target`: each held membership is closed in the source
    and reopened in the target (like a transfer: 会龄 and status kept, both histories show it).
    Pending applications move to the target; pending transfers involving the source are
    cancelled with a note (the member must ask again)."""
    if not target.holds_members and Membership.objects.filter(
        union=source, status__in=HELD_STATUSES
    ).exists():
        raise ApplicationError(
            _("“{target}”不直接发展会员，不能接收“{source}”的会员；请并入基层、联合或街道工会。").format(
                target=target.name, source=source.name),
            code="merge_target_no_members",
        )
    reason_out = _("工会组织合并，随“{source}”并入“{target}”").format(
        source=source.name, target=target.name)
    reason_in = _("“{source}”并入本工会").format(source=source.name)
    now = clock.now()
    pending = Transfer.objects.filter(status=TransferStatus.PENDING).filter(
        Q(from_union=source) | Q(to_union=source)).order_by("pk")
    for transfer in pending:
        transition(
            transfer, TransferStatus.CANCELLED, transitions=TRANSFER_TRANSITIONS,
            extra_fields={"decided_at": now, "decision_reason": reason_out[:500]},
            write_history=lambda t, old, new: CaseEvent.objects.create(
                transfer=t, union_id=t.from_union_id, from_status=old, to_status=new,
                actor=actor_user(actor), actor_name=actor_name(actor), at=now,
                reason=reason_out[:500]),
        )
    # moved as delete + insert with their history: the union is the distribution column
    # (core/rowmove.py)
    applications = list(Application.objects.filter(
        union=source, status=ApplicationStatus.SUBMITTED).values_list("pk", flat=True))
    move_rows(Application, applications, column="union", to=target.pk)
    move_rows(CaseEvent, CaseEvent.objects.filter(application_id__in=applications)
              .values_list("pk", flat=True), column="union", to=target.pk)
    moved = 0
    memberships = Membership.objects.select_for_update().select_related("person", "union") \
        .filter(union=source, status__in=HELD_STATUSES).order_by("pk")
    for old in memberships:
        status = old.status
        _common.close_membership(old, target=MembershipStatus.TRANSFERRED_OUT, actor=actor,
                                 reason=reason_out, on=clock.today(), kind=EventKind.MERGE_OUT,
                                 other_union=target)
        _common.open_membership(person=old.person, union=target, joined_on=clock.today(),
                                seniority_since=old.seniority_since, actor=actor,
                                kind=EventKind.MERGE_IN, status=status, reason=reason_in,
                                other_union=source, carry_from=old)
        moved += 1
    if moved:
        audit_record(actor=actor, action="member.merge", obj=source, org_path=source.path,
                     after={"target": target.code, "members_moved": moved})

