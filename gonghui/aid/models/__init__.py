from gonghui.aid.models.choices import (
    BENEFICIARY_TRANSITIONS,
    MONEY_KINDS,
    NO_AMOUNT_KINDS,
    OPEN_STATUSES,
    PROGRAMME_TRANSITIONS,
    TRANSITIONS,
    ActivityKind,
    AssessmentSource,
    AssistanceKind,
    BeneficiaryStatus,
    Cause,
    DocumentKind,
    Education,
    EligibilityRule,
    FileStatus,
    Health,
    Housing,
    IncomeKind,
    Need,
    ProgrammeKind,
    ProgrammeStatus,
    Relation,
    Work,
)
from gonghui.aid.models.files import (
    FileActivity,
    FileCause,
    FileDocument,
    HardshipFile,
    HouseholdClaim,
    HouseholdMember,
    IncomeAssessment,
    IncomeSource,
)
from gonghui.aid.models.programmes import (
    Assistance,
    Beneficiary,
    BeneficiaryClaim,
    Programme,
    ProgrammeHistory,
)
from gonghui.aid.models.standards import AidPolicy, LocalStandard
from gonghui.aid.rules import Category

__all__ = [
    "BENEFICIARY_TRANSITIONS", "MONEY_KINDS", "NO_AMOUNT_KINDS", "OPEN_STATUSES",
    "PROGRAMME_TRANSITIONS", "TRANSITIONS", "ActivityKind", "AidPolicy", "AssessmentSource",
    "Assistance", "AssistanceKind", "Beneficiary", "BeneficiaryClaim", "BeneficiaryStatus",
    "Category", "Cause", "DocumentKind", "Education", "EligibilityRule", "FileActivity",
    "FileCause", "FileDocument", "FileStatus", "HardshipFile", "Health", "HouseholdClaim",
    "HouseholdMember", "Housing", "IncomeAssessment", "IncomeKind", "IncomeSource",
    "LocalStandard", "Need", "Programme", "ProgrammeHistory", "ProgrammeKind", "ProgrammeStatus",
    "Relation", "Work",
]
