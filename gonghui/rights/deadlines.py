"""The running legal clocks of cases, letters, contracts and congresses, for pages, the due
list, the to-do inbox and `gonghui rights due`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.rights import clocks, selectors
from gonghui.rights.clocks import Clock
from gonghui.rights.models import (
    Body,
    Case,
    CaseKind,
    CaseStatus,
    Contract,
    ContractStatus,
    Letter,
    LetterKind,
    LetterStatus,
)


def case_clocks(case: Case) -> list[Clock]:
    url = reverse("rights:case", args=[case.pk])
    subject = f"{case.number} {case.worker_name}"
    out = []
    if case.status in (CaseStatus.SUBMITTED, CaseStatus.OPEN) and case.body == Body.UNION:
        out.append(Clock("limitation", _("仲裁时效届满（一年，劳动争议调解仲裁法第二十七条）"),
                         clocks.limitation_end(case.known_on), subject, url, case.union_path))
    if case.status == CaseStatus.OPEN and case.kind == CaseKind.MEDIATION \
            and case.body == Body.UNION:
        out.append(Clock("mediation", _("调解期满15日，可申请仲裁（第十四条）"),
                         clocks.mediation_deadline(case.applied_on), subject, url,
                         case.union_path))
    if case.status == CaseStatus.OPEN and case.body == Body.ARBITRATION \
            and case.arbitration_accepted_on:
        label = (_("仲裁结案期限（45日+延长15日，第四十三条）") if case.arbitration_extended
                 else _("仲裁结案期限（45日，第四十三条）"))
        out.append(Clock("arbitration", label,
                         clocks.arbitration_deadline(case.arbitration_accepted_on,
                                                     extended=case.arbitration_extended),
                         subject, url, case.union_path))
    return out


def letter_clocks(letter: Letter) -> list[Clock]:
    if letter.kind == LetterKind.OPINION and letter.status == LetterStatus.ISSUED \
            and letter.reply_due:
        return [Clock("reply", _("意见书答复期限"), letter.reply_due,
                      f"{letter.number} {letter.employer.name}",
                      reverse("rights:letter", args=[letter.pk]), letter.org_path)]
    return []


def contract_clocks(contract: Contract, today: dt.date) -> list[Clock]:
    url = reverse("rights:contract", args=[contract.pk])
    out = []
    if contract.status == ContractStatus.NEGOTIATING and contract.answered_on is None:
        out.append(Clock("answer", _("对方答复协商要求期限（20日，集体合同规定第三十二条）"),
                         clocks.negotiation_answer_due(contract.requested_on), contract.title,
                         url, contract.org_path))
    if contract.status == ContractStatus.SIGNED and contract.signed_on:
        out.append(Clock("filing", _("报送劳动部门期限（10日，第四十二条）"),
                         clocks.filing_due(contract.signed_on), contract.title, url,
                         contract.org_path))
    if contract.status == ContractStatus.FILED and contract.received_on \
            and contract.effective_on and contract.effective_on > today:
        out.append(Clock("effective", _("劳动部门异议期届满后生效（15日，第四十七条）"),
                         contract.effective_on, contract.title, url, contract.org_path))
    if contract.status == ContractStatus.FILED and contract.term_end:
        first, last = clocks.renewal_window(contract.term_end)
        if first <= today <= last:
            out.append(Clock("renewal", _("合同期满，可在最后三个月内提出续订（第三十八条）"),
                             contract.term_end, contract.title, url, contract.org_path))
    return out


def due(*, viewer: Any, days: int = clocks.DUE_SOON_DAYS,
        today: dt.date) -> list[Clock]:
    """Every clock that runs out within `days` days (overdue ones included), soonest first."""
    horizon = today + dt.timedelta(days=days)
    out: list[Clock] = []
    # cases: the candidates whose clocks can fall within the horizon
    cases = selectors.case_list(viewer=viewer).filter(status__in=(CaseStatus.SUBMITTED,
                                                                  CaseStatus.OPEN))
    for case in cases.iterator(chunk_size=2000):
        out.extend(c for c in case_clocks(case) if c.due <= horizon
                   and (c.kind != "limitation" or c.due >= today))
    for letter in selectors.letter_list(viewer=viewer, status=LetterStatus.ISSUED,
                                        kind=LetterKind.OPINION):
        out.extend(c for c in letter_clocks(letter) if c.due <= horizon)
    for contract in selectors.contract_list(viewer=viewer).exclude(
            status__in=(ContractStatus.ABANDONED, ContractStatus.OBJECTED)):
        out.extend(c for c in contract_clocks(contract, today)
                   if c.due <= horizon or c.kind == "renewal")
    return sorted(out, key=lambda c: (c.due, c.kind, c.subject))
