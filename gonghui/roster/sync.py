"""Roster sync (名册同步): a union uploads its *complete* current roster; besides importing the
new rows (the ordinary import job), Gonghui lists the members holding 会籍 in the file's
union(s) that the file does not contain, as candidates for review (members.SyncCandidate).

Sync never changes a membership by itself: each candidate is decided by a cadre — kept, or
retired / withdrawn / deceased through `members.services.membership_set_status`, or a transfer
out started through `members.services.transfer_start` — each with a reason, one at a time or
in bulk (N calls of the same function).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.workflow import transition
from gonghui.members import services as members
from gonghui.members.models import (
    HELD_STATUSES,
    SYNC_TRANSITIONS,
    Membership,
    SyncCandidate,
    SyncDecision,
)
from gonghui.members.validation import id_hash_of
from gonghui.orgs.models import Org
from gonghui.roster.columns import UNION_CODE, normalize_code, skip_reason
from gonghui.roster.importer import read_mapping
from gonghui.roster.models import ImportJob, ImportStatus
from gonghui.roster.readers import RosterSource
from gonghui.roster.stripes import _id_key, source_path

_CHUNK = 5000


def _file_people(job: ImportJob) -> tuple[set[str], set[str]]:
    """The blind indexes of every person row of the file (valid ID numbers; a row rejected for
    another field still lists its person), and the union codes of a bulk file."""
    mapping = read_mapping(job)
    code_columns = [i for i, f in mapping.columns.items() if f == UNION_CODE]
    hashes: set[str] = set()
    codes: set[str] = set()
    for number, cells in RosterSource(source_path(job), name=job.source_name):
        if number <= mapping.header_row or skip_reason(cells, mapping):
            continue
        digest = id_hash_of(_id_key(cells, mapping), today=job.as_of)
        if digest:
            hashes.add(digest)
        for index in code_columns:
            if index < len(cells) and cells[index] is not None:
                codes.add(normalize_code(cells[index]))
    return hashes, codes


def sync_detect(*, job: ImportJob, actor: Actor) -> int:
    """List the members missing from a finished import's file (its union, or in the bulk form
    the unions the file names inside the job's subtree) as review candidates. Returns how many.
    Running it again for the same job adds nothing twice."""
    require_capability(actor, Capability.MEMBER_WRITE, job.org)
    if job.status != ImportStatus.DONE or job.dry_run:
        raise ApplicationError(_("只有已完成（非试运行）的导入才能进行名册同步比对。"),
                               code="sync_not_done")
    hashes, codes = _file_people(job)
    if codes:
        unions = list(Org.objects.filter(code__in=codes, path__startswith=job.org.path)
                      .values_list("pk", flat=True))
    else:
        unions = [job.org_id]
    held = (Membership.objects.filter(union_id__in=unions, status__in=HELD_STATUSES)
            .values_list("pk", "person__id_hash", "union_id", "union_path").order_by("pk"))
    missing = [(pk, union, path) for pk, digest, union, path in held.iterator(chunk_size=_CHUNK)
               if digest not in hashes]
    with transaction.atomic():
        for start in range(0, len(missing), _CHUNK):
            SyncCandidate.objects.bulk_create([
                SyncCandidate(import_job_id=job.pk, membership_id=pk, union_id=union,
                              union_path=path)
                for pk, union, path in missing[start:start + _CHUNK]
            ], ignore_conflicts=True)
        audit_record(actor=actor, action="roster.sync_detect", obj=job, org_path=job.org_path,
                     after={"in_file": len(hashes), "missing": len(missing),
                            "unions": len(unions)})
    return len(missing)


def sync_candidates(*, viewer: Any, job_id: int | None = None,
                    status: str = SyncDecision.OPEN) -> QuerySet[SyncCandidate]:
    """The candidates the viewer may see (member.read over their union)."""
    queryset = scope(SyncCandidate.objects.all(), viewer, Capability.MEMBER_READ,
                     path_field="union_path")
    if job_id is not None:
        queryset = queryset.filter(import_job_id=job_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("membership__person", "union").order_by("union_path", "id")


def sync_decide(*, candidate: SyncCandidate, decision: str, actor: Actor, reason: str,
                to_union: Org | None = None) -> SyncCandidate:
    """One candidate decided, with a reason: the membership changes only through the members
    service of that change, in the same transaction as the candidate's row."""
    membership = Membership.objects.select_related("person", "union").get(
        pk=candidate.membership_id)
    require_capability(actor, Capability.MEMBER_WRITE, membership.union)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写核实情况或原因。"), code="reason_required")
    if decision not in SYNC_TRANSITIONS[SyncDecision.OPEN]:
        raise ApplicationError(_("未知的处理结果。"), code="sync_decision")
    with transaction.atomic():
        locked = transition(candidate, decision, transitions=SYNC_TRANSITIONS, history=False,
                            extra_fields={"reason": reason[:500], "decided_at": clock.now(),
                                          "decided_by": actor_user(actor)})
        if decision in (SyncDecision.RETIRED, SyncDecision.WITHDRAWN, SyncDecision.DECEASED):
            members.membership_set_status(membership=membership, target=decision,
                                          actor=actor, reason=reason)
        elif decision == SyncDecision.TRANSFER:
            if to_union is None:
                raise ApplicationError(_("办理转出请选择转入工会。"), code="to_union_required")
            members.transfer_start(membership=membership, to_union=to_union, actor=actor,
                                   reason=reason)
        audit_record(actor=actor, action="roster.sync_decide", obj=locked,
                     org_path=membership.union_path, before={"status": SyncDecision.OPEN},
                     after={"status": decision, "membership": membership.pk}, note=reason)
    return locked


def sync_decide_many(*, ids: Iterable[int], decision: str, actor: Actor, reason: str,
                     job_id: int | None = None, to_union: Org | None = None,
                     ) -> tuple[int, list[dict[str, Any]]]:
    """The same decision for many candidates (of one job, when `job_id` is given): N calls of
    `sync_decide`, each its own transaction; a failure is reported and the others are done.
    (done, failures)."""
    done, failures = 0, []
    for pk in ids:
        candidate = sync_candidates(viewer=actor, job_id=job_id, status="").filter(pk=pk).first()
        try:
            if candidate is None:
                raise NotFound()
            sync_decide(candidate=candidate, decision=decision, actor=actor, reason=reason,
                        to_union=to_union)
        except ApplicationError as exc:
            failures.append({"id": pk, "code": exc.code, "message": str(exc.message)})
        else:
            done += 1
    return done, failures
