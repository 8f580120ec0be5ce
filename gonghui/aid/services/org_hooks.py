"""What the org tree asks of the aid module (core.hooks, registered in AidConfig.ready):
occupancy before a dissolve, files following a merge, and path rewrites after a move."""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.aid.models import (
    OPEN_STATUSES,
    ActivityKind,
    AidPolicy,
    Assistance,
    Beneficiary,
    FileActivity,
    FileCause,
    FileDocument,
    HardshipFile,
    HouseholdMember,
    IncomeAssessment,
    IncomeSource,
    LocalStandard,
    Programme,
    ProgrammeStatus,
)
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.rowmove import move_rows
from gonghui.orgs.models import Org

# rows of a file that carry its union (the distribution key) and follow it in a merge
_FILE_PARTS = (HouseholdMember, IncomeSource, FileCause, FileDocument, FileActivity,
               IncomeAssessment)


def org_occupancy(org: Org) -> list[str]:
    reasons = []
    files = HardshipFile.objects.filter(union=org, status__in=OPEN_STATUSES).count()
    if files:
        reasons.append(_("{n} 份在档困难职工档案").format(n=files))
    programmes = Programme.objects.filter(org=org).exclude(status=ProgrammeStatus.CLOSED).count()
    if programmes:
        reasons.append(_("{n} 个未结束的帮扶项目").format(n=programmes))
    return reasons


def org_path_changed(*, old_prefix: str, new_prefix: str) -> None:
    cut = len(old_prefix) + 1
    for model, field in ((HardshipFile, "union_path"), (Beneficiary, "union_path"),
                         (Assistance, "union_path"), (Programme, "org_path"),
                         (LocalStandard, "org_path"), (AidPolicy, "org_path")):
        model.objects.filter(**{f"{field}__startswith": old_prefix}).update(
            **{field: Concat(Value(new_prefix), Substr(F(field), cut))}
        )


def org_merge(*, source: Org, target: Org, actor: Actor) -> None:
    """Files of `source` (every status: the history follows the household) move to `target`
    with all their rows; each gets a timeline entry. Open programmes move too. Standards and
    the policy stay with `source`'s closed record (a region's figures are not the target's)."""
    files = list(HardshipFile.objects.select_for_update().filter(union=source)
                 .values_list("pk", flat=True))
    if files:
        # delete + insert: the union is the distribution column (core/rowmove.py)
        move_rows(HardshipFile, files, column="union", to=target.pk, union_path=target.path)
        for model in _FILE_PARTS:
            move_rows(model, model.objects.filter(file_id__in=files).values_list("pk", flat=True),
                      column="union", to=target.pk)
        for paid in (Assistance, Beneficiary):
            move_rows(paid, paid.objects.filter(file_id__in=files).values_list("pk", flat=True),
                      column="union", to=target.pk, union_path=target.path)
        now, name = clock.now(), actor_name(actor)
        real = actor_user(actor)
        FileActivity.objects.bulk_create([
            FileActivity(file_id=pk, union=target, kind=ActivityKind.EDIT, at=now, actor=real,
                         actor_name=name,
                         reason=_("工会组织合并，档案随“{source}”转入“{target}”").format(
                             source=source.name, target=target.name),
                         data={"merged_from": source.code})
            for pk in files
        ], batch_size=500)
    Programme.objects.filter(org=source).update(org=target, org_path=target.path)
    if files:
        audit_record(actor=actor, action="aid.files.merge", object_type="aid.hardshipfile",
                     object_repr=f"{len(files)}", org_path=target.path,
                     after={"from": source.code, "to": target.code, "files": len(files)})
