"""The retention rule of rights cases (audit.retention; docs/security.md): a case closed,
refused or withdrawn before the cutoff loses what identifies the worker."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from gonghui.audit.retention import ERASED_TEXT, PSEUDONYM, RuleResult, chunks
from gonghui.rights.models import Case, CaseDocument, CaseHistory, CaseStatus, Hearing, Referral

ENDED = (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)


def closed_cases(*, cutoff: dt.date, dry_run: bool) -> RuleResult:
    ended_before = Q(closed_on__lte=cutoff) | Q(closed_on__isnull=True, updated_at__date__lte=cutoff)
    cases = Case.objects.filter(ended_before, status__in=ENDED).exclude(worker_name=PSEUDONYM)
    ids = list(cases.order_by("id").values_list("id", flat=True))
    result = RuleResult("rights.closed_cases", ids)
    if dry_run or not ids:
        return result
    for chunk in chunks(ids):
        Case.objects.filter(id__in=chunk).update(
            worker_name=PSEUDONYM, worker_id_number=None, worker_id_hash="", worker_phone="",
            worker=None, description=ERASED_TEXT, rating_comment="")
        CaseDocument.objects.filter(case_id__in=chunk).delete()
        Hearing.objects.filter(case_id__in=chunk).update(note=ERASED_TEXT)
        Referral.objects.filter(case_id__in=chunk).update(reason=ERASED_TEXT, documents="")
        CaseHistory.objects.filter(case_id__in=chunk).update(reason="")
    return result
