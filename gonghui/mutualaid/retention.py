"""The retention rule of mutual-aid payouts (audit.retention; docs/security.md "Retention"): a
hospital settlement (the claim) whose payouts have all ended — paid, declined or rejected — before
the cutoff, and that was processed before it, loses what identifies the patient and the payee.

It keeps what the fund's accounts and statistics need: the settlement number and fingerprint
(a resubmitted stay is still caught), stay dates, amounts, category, the payouts with their
amounts, statuses, member link and ledger voucher, and the bank items' amounts, masked account
and bank serial (会计档案: the vouchers outlive the personal detail). It erases the patient's
name, ID number and its blind index, the hospital, the payee's name and full account number on
the bank items, and the free-text failure and history reasons."""

from __future__ import annotations

import datetime as dt

from gonghui.audit.retention import ERASED_TEXT, PSEUDONYM, RuleResult, chunks
from gonghui.mutualaid.models import BatchItem, Payout, PayoutEvent, PayoutStatus, SettlementRecord

ENDED = (PayoutStatus.PAID, PayoutStatus.DECLINED, PayoutStatus.REJECTED)


def ended_settlements(*, cutoff: dt.date) -> list[int]:
    """Ids of the settlements the rule takes at this cutoff (not yet pseudonymised)."""
    records = (
        SettlementRecord.objects.filter(processed_at__date__lte=cutoff)
        .exclude(patient_name=PSEUDONYM)
        # any payout still open, or one that moved or was paid after the cutoff, keeps it
        .exclude(payouts__status__in=[s for s in PayoutStatus.values if s not in ENDED])
        .exclude(payouts__paid_on__gt=cutoff)
        .exclude(payouts__events__at__date__gt=cutoff)
    )
    return list(records.order_by("id").values_list("id", flat=True).distinct())


def ended_payouts(*, cutoff: dt.date, dry_run: bool) -> RuleResult:
    ids = ended_settlements(cutoff=cutoff)
    result = RuleResult("mutualaid.ended_payouts", ids)
    if dry_run or not ids:
        return result
    for chunk in chunks(ids):
        SettlementRecord.objects.filter(id__in=chunk).update(
            patient_name=PSEUDONYM, id_number="", id_hash="", id_masked="", hospital=ERASED_TEXT
        )
        payouts = Payout.objects.filter(settlement_id__in=chunk)
        payouts.update(fail_reason="")
        BatchItem.objects.filter(payout__in=payouts).update(
            payee_name=PSEUDONYM, account_number="", fail_reason=""
        )
        PayoutEvent.objects.filter(payout__in=payouts).update(reason="")
    return result
