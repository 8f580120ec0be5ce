"""How the aid module reacts to a member's life events (core.hooks "member.ended" and
"member.transferred", registered in AidConfig.ready). They run inside the members service's
transaction: the membership change and the file's flag commit together or not at all. Nothing
is deleted or closed here; a cadre decides on the flagged file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gonghui.aid.models import (
    OPEN_STATUSES,
    ActivityKind,
    FileActivity,
    FileCause,
    FileDocument,
    HardshipFile,
    HouseholdClaim,
    HouseholdMember,
    IncomeAssessment,
    IncomeSource,
)
from gonghui.aid.services.common import activity, audit
from gonghui.core.actor import Actor
from gonghui.core.citus import lock_row
from gonghui.core.rowmove import move_rows

# rows of a file that carry its union (the distribution key) and follow it to another union
_FILE_PARTS = (HouseholdMember, IncomeSource, FileCause, FileDocument, FileActivity,
               IncomeAssessment)

BEREAVEMENT = "bereavement"


def _open_file_of(person: Any) -> HardshipFile | None:
    """The open file holding this person (as applicant or household member), locked."""
    claim = HouseholdClaim.objects.filter(id_hash=person.id_hash).values_list("file_id",
                                                                             flat=True).first()
    if claim is None:
        return None
    # by id alone: lock_row adds the file's union on Citus (a single-shard lock)
    return lock_row(HardshipFile.objects.filter(status__in=OPEN_STATUSES), claim)


def member_ended(*, membership: Any, status: str, on: dt.date, actor: Actor,
                 reason: str = "") -> None:
    """A membership ended: the household's open file is flagged for review. A death also
    suggests bereavement assistance (慰问/丧葬帮扶). A transfer out is handled by
    `member_transferred` (the file follows the member)."""
    if status == "transferred_out":
        return
    file = _open_file_of(membership.person)
    if file is None:
        return
    label = {"deceased": _("已故"), "withdrawn": _("退会"), "lapsed": _("自动退会")}.get(
        status, status)
    if status == "deceased":
        why = _("会员{name}{label}（{on}）：请复核家庭情况，建议办理丧葬慰问帮扶。").format(
            name=membership.person.name, label=label, on=on.isoformat())
    else:
        why = _("会员{name}{label}（{on}）：请复核本档案是否继续帮扶。").format(
            name=membership.person.name, label=label, on=on.isoformat())
    data = {"membership": membership.pk, "membership_status": status, "on": on.isoformat()}
    if status == "deceased":
        data["suggestion"] = BEREAVEMENT
    HardshipFile.objects.filter(pk=file.pk).update(needs_review=True, review_reason=why[:500])
    activity(file, ActivityKind.EDIT, actor=actor, reason=why, data=data)
    audit(actor, "aid.file.member_ended", file, before={"needs_review": file.needs_review},
          after={"needs_review": True, "membership_status": status}, note=reason)


def member_transferred(*, transfer: Any, old: Any, new: Any, actor: Actor) -> None:
    """The member moved to another union: their household's open file held by the old union
    moves to the receiving union's review queue (flagged, to be confirmed there)."""
    file = _open_file_of(old.person)
    if file is None or file.union_id != old.union_id:
        return
    target = new.union
    why = _("会员自“{source}”转入“{target}”，档案随转，待接收工会复核确认。").format(
        source=old.union.name, target=target.name)
    HardshipFile.objects.filter(pk=file.pk, union_id=old.union_id).update(
        needs_review=True, review_reason=why[:500])
    # the union is the distribution column: the file and its rows move by delete + insert
    # (core/rowmove.py), as in a merge; its assistance and programme rows stay with the union
    # that gave them (core.citus.CROSS_UNION_FKS)
    move_rows(HardshipFile, [file.pk], column="union", to=target.pk, union_path=target.path)
    for model in _FILE_PARTS:
        move_rows(model, model.objects.filter(union_id=old.union_id, file_id=file.pk)
                  .values_list("pk", flat=True), column="union", to=target.pk)
    file.union, file.union_path = target, target.path
    activity(file, ActivityKind.EDIT, actor=actor, reason=why,
             data={"transferred_from": old.union.code, "transfer": transfer.pk})
    audit(actor, "aid.file.transferred", file, before={"union": old.union.code},
          after={"union": target.code, "needs_review": True})
