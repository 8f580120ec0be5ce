"""Mutual-aid protection (职工互助保障): plans and their versions, enrolment, settlement records,
payouts and bank batches. One module per subdomain; everything is importable from here."""

from gonghui.mutualaid.models.enrolment import Enrolment, EnrolmentRun, PayeeAccount
from gonghui.mutualaid.models.payouts import (
    BATCH_TRANSITIONS,
    PAYOUT_TRANSITIONS,
    BatchItem,
    BatchStatus,
    ItemResult,
    Payout,
    PayoutBatch,
    PayoutBatchEvent,
    PayoutEvent,
    PayoutStatus,
)
from gonghui.mutualaid.models.plans import Plan, PlanStatus, PlanVersion
from gonghui.mutualaid.models.settlements import (
    ImportStatus,
    RecordStatus,
    SettlementImport,
    SettlementIssue,
    SettlementRecord,
)

__all__ = [
    "BATCH_TRANSITIONS",
    "PAYOUT_TRANSITIONS",
    "BatchItem",
    "BatchStatus",
    "Enrolment",
    "EnrolmentRun",
    "ImportStatus",
    "ItemResult",
    "PayeeAccount",
    "Payout",
    "PayoutBatch",
    "PayoutBatchEvent",
    "PayoutEvent",
    "PayoutStatus",
    "Plan",
    "PlanStatus",
    "PlanVersion",
    "RecordStatus",
    "SettlementImport",
    "SettlementIssue",
    "SettlementRecord",
]
