"""Models of rights, split by subdomain."""

from gonghui.rights.models.cases import (
    CASE_TRANSITIONS,
    OPEN_CASE_STATUSES,
    Body,
    Case,
    CaseDocument,
    CaseHistory,
    CaseKind,
    CaseStatus,
    DisputeType,
    Hearing,
    Lawyer,
    Outcome,
    Referral,
)
from gonghui.rights.models.congress import Congress, Delegate, OpenAffair, Resolution, Session
from gonghui.rights.models.contracts import (
    CONTRACT_TRANSITIONS,
    MULTI_EMPLOYER_KINDS,
    Contract,
    ContractHistory,
    ContractKind,
    ContractStatus,
    Coverage,
    Representative,
)
from gonghui.rights.models.letters import (
    LETTER_TRANSITIONS,
    Letter,
    LetterHistory,
    LetterKind,
    LetterStatus,
    RightsPolicy,
)
from gonghui.rights.models.risk import (
    ALERT_TRANSITIONS,
    DEFAULT_THRESHOLDS,
    DEFAULT_WEIGHTS,
    LEVEL_ORDER,
    AlertHistory,
    AlertStatus,
    EmployerRisk,
    Level,
    RiskAlert,
    RiskSignal,
    RiskWeight,
    SignalKind,
)

__all__ = [
    "ALERT_TRANSITIONS", "CASE_TRANSITIONS", "CONTRACT_TRANSITIONS", "DEFAULT_THRESHOLDS",
    "DEFAULT_WEIGHTS", "LETTER_TRANSITIONS", "LEVEL_ORDER", "MULTI_EMPLOYER_KINDS",
    "OPEN_CASE_STATUSES", "AlertHistory", "AlertStatus", "Body", "Case", "CaseDocument",
    "CaseHistory", "CaseKind", "CaseStatus", "Congress", "Contract", "ContractHistory",
    "ContractKind", "ContractStatus", "Coverage", "Delegate", "DisputeType", "EmployerRisk",
    "Hearing", "Lawyer", "Letter", "LetterHistory", "LetterKind", "LetterStatus", "Level",
    "OpenAffair", "Outcome", "Referral", "Representative", "Resolution", "RightsPolicy",
    "RiskAlert", "RiskSignal", "RiskWeight", "Session", "SignalKind",
]
