"""The retention rule of hardship files (audit.retention; docs/security.md "Retention"): a file
that ended — closed (销档), refused (不予建档), or exited (脱困) with its relapse watch over — and
has not changed since before the cutoff loses what identifies the household and its health.

It keeps what statistics and the union's own record need: union, number, status, categories,
causes, household size, income amounts, dates, the assistance given and the timeline's status
rows; the applicant link stays (the member registry has its own purpose and period). It erases
the applicant's name on the file, address, phone, the free-text notes, the household (names, ID
numbers, health and illness notes), the attached documents with their stored files, income
descriptions, the assessments' evidence and the timeline's free-text reasons."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from gonghui.aid.models import (
    ActivityKind,
    FileActivity,
    FileDocument,
    FileStatus,
    HardshipFile,
    HouseholdMember,
    IncomeAssessment,
    IncomeSource,
)
from gonghui.audit.retention import ERASED_TEXT, PSEUDONYM, RuleResult, chunks

ENDED = (FileStatus.CLOSED, FileStatus.REJECTED, FileStatus.EXITED)


def ended_files(*, cutoff: dt.date) -> list[int]:
    """Ids of the files the rule takes at this cutoff (not yet pseudonymised)."""
    # an exited file may reopen on relapse (返贫) until its watch ends: only after that
    watch_over = (
        ~Q(status=FileStatus.EXITED) | Q(watch_until__isnull=True) | Q(watch_until__lte=cutoff)
    )
    files = (
        HardshipFile.objects.filter(status__in=ENDED, updated_at__date__lte=cutoff)
        .filter(watch_over)
        .exclude(applicant_name=PSEUDONYM)
    )
    return list(files.order_by("id").values_list("id", flat=True))


def closed_files(*, cutoff: dt.date, dry_run: bool) -> RuleResult:
    ids = ended_files(cutoff=cutoff)
    result = RuleResult("aid.closed_files", ids)
    if dry_run or not ids:
        return result
    for chunk in chunks(ids):
        HardshipFile.objects.filter(id__in=chunk).update(
            applicant_name=PSEUDONYM,
            address="",
            phone="",
            needs_note=ERASED_TEXT,
            sudden_description="",
            housing_note="",
            category_note="",
            review_reason="",
        )
        # incomes keep their amounts, no longer tied to a named person
        IncomeSource.objects.filter(file_id__in=chunk).update(member=None, description="")
        HouseholdMember.objects.filter(file_id__in=chunk).delete()  # and their claims
        for document in FileDocument.objects.filter(file_id__in=chunk):
            document.content.delete(save=False)
        FileDocument.objects.filter(file_id__in=chunk).delete()
        IncomeAssessment.objects.filter(file_id__in=chunk).update(evidence="")
        FileActivity.objects.filter(file_id__in=chunk).update(reason="")
        # a document's timeline row names the uploaded file (often the person's name)
        FileActivity.objects.filter(file_id__in=chunk, kind=ActivityKind.DOCUMENT).update(data={})
    return result
