"""Models of awards (建功立业)."""

from gonghui.awards.models.competitions import (
    Competition,
    CompetitionHistory,
    CompetitionKind,
    Criterion,
    Entry,
    Score,
    Stage,
    TieRule,
)
from gonghui.awards.models.honours import (
    LIVE_STATUSES,
    NOMINATION_INITIAL,
    PAST_REVIEW,
    HonourKind,
    HonourScheme,
    Nomination,
    NominationAttachment,
    NominationHistory,
    NominationStatus,
    NomineeType,
    Quota,
    WorkerCategory,
)
from gonghui.awards.models.register import CareKind, CareRecord, HonourRecord, ModelWorker
from gonghui.awards.models.studios import InnovationResult, Studio, StudioLevel, StudioRating

__all__ = [
    "LIVE_STATUSES", "NOMINATION_INITIAL", "PAST_REVIEW", "CareKind", "CareRecord",
    "Competition", "CompetitionHistory", "CompetitionKind", "Criterion", "Entry", "HonourKind",
    "HonourRecord", "HonourScheme", "InnovationResult", "ModelWorker", "Nomination",
    "NominationAttachment", "NominationHistory", "NominationStatus", "NomineeType", "Quota",
    "Score", "Stage", "Studio", "StudioLevel", "StudioRating", "TieRule", "WorkerCategory",
]
