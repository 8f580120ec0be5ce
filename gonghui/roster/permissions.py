"""The only ways to reach roster jobs: 404 outside the user's subtrees, 403 when visible but
not theirs to change or download."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.scoping import can, scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Org
from gonghui.roster.models import ExportJob, ImportJob


def access_union(user: Any, code_or_id: int | str, *, cap: str = "member.write") -> Org:
    """A union the user may import into (member.write) or export (member.read): 404 otherwise
    — whether it exists elsewhere is not revealed."""
    queryset = scope(Org.objects.all(), user, cap)
    text = str(code_or_id).strip()
    lookup = {"pk": int(text)} if text.isdigit() else {"code": text.upper()}
    org = queryset.filter(**lookup).first()
    if org is None:
        raise NotFound()
    return org


def access_import_job(user: Any, job_id: int, *, write: bool = False) -> ImportJob:
    """Import jobs are seen by whoever may write members over the job's union."""
    job = scope(ImportJob.objects.select_related("org", "created_by"), user, "member.write",
                path_field="org_path").filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    if write and job.created_by_id != getattr(user, "pk", None) \
            and not can(user, job.org, "member.write"):
        raise Forbidden()
    return job


def may_download_report(user: Any, job: ImportJob) -> bool:
    """The error report holds the rejected rows as uploaded, ID numbers unmasked: the uploader
    may take it back; anyone else needs member.reveal (and the read is logged)."""
    return job.created_by_id == getattr(user, "pk", None) or can(user, job.org, "member.reveal")


def access_export_job(user: Any, job_id: int) -> ExportJob:
    """An export file is its creator's: visible to them only while they still may read the
    subtree (404 for anyone else: the file is personal data)."""
    job = scope(ExportJob.objects.select_related("org"), user, "member.read",
                path_field="org_path").filter(pk=job_id, created_by_id=getattr(user, "pk", None)
                                              ).first()
    if job is None:
        raise NotFound()
    if job.reveal and not can(user, job.org, "member.reveal"):
        raise Forbidden()
    return job
