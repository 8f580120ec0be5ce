"""The only ways to reach roster jobs: 404 outside the user's subtrees, 403 when visible but
not theirs to change or download."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.errors import NotFound
from gonghui.orgs.models import Org
from gonghui.roster.models import ExportJob, ImportJob


def access_union(user: Any, code_or_id: int | str, *,
                 cap: Capability = Capability.MEMBER_WRITE) -> Org:
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
    """Import jobs are the business of whoever may write members over the job's union: 404
    outside the viewer's member.read subtrees, 403 for a reader there (an auditor); its
    uploader may always act on their own job (`write`)."""
    job = scope(ImportJob.objects.select_related("org", "created_by"), user,
                Capability.MEMBER_READ, path_field="org_path").filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    if not (write and job.created_by_id == getattr(user, "pk", None)):
        require_capability(user, Capability.MEMBER_WRITE, job.org)
    return job


def may_download_report(user: Any, job: ImportJob) -> bool:
    """The error report holds the rejected rows as uploaded, ID numbers unmasked: the uploader
    may take it back; anyone else needs member.reveal (and the read is logged)."""
    return job.created_by_id == getattr(user, "pk", None) or has_capability(
        user, Capability.MEMBER_REVEAL, job.org)


def may_write(user: Any, job: ImportJob) -> bool:
    """Whether the job page offers its actions (resume, cancel)."""
    return has_capability(user, Capability.MEMBER_WRITE, job.org)


def access_export_job(user: Any, job_id: int) -> ExportJob:
    """An export file is its creator's: visible to them only while they still may read the
    subtree (404 for anyone else: the file is personal data)."""
    job = scope(ExportJob.objects.select_related("org"), user, Capability.MEMBER_READ,
                path_field="org_path").filter(pk=job_id, created_by_id=getattr(user, "pk", None)
                                              ).first()
    if job is None:
        raise NotFound()
    if job.reveal:
        require_capability(user, Capability.MEMBER_REVEAL, job.org)
    return job
