"""Code lists of the hardship file (values stable English codes, labels the cadres' words)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FileStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待核实")
    ACTIVE = "active", _("在档帮扶")
    EXITED = "exited", _("已脱困")
    REJECTED = "rejected", _("不予建档")
    CLOSED = "closed", _("已销档")


# A file holds its household's people (HouseholdClaim) while it is open.
OPEN_STATUSES = frozenset({FileStatus.DRAFT, FileStatus.SUBMITTED, FileStatus.ACTIVE})

# 建档 → 核实 (street/district) → 在档 → 解困脱困 → 返贫 reopens; see docs/aid.md.
TRANSITIONS: dict[str, set[str]] = {
    FileStatus.DRAFT: {FileStatus.SUBMITTED, FileStatus.CLOSED},
    FileStatus.SUBMITTED: {FileStatus.ACTIVE, FileStatus.DRAFT, FileStatus.REJECTED},
    FileStatus.ACTIVE: {FileStatus.EXITED, FileStatus.CLOSED},
    FileStatus.EXITED: {FileStatus.DRAFT},
    FileStatus.REJECTED: set(),
    FileStatus.CLOSED: set(),
}


class Cause(models.TextChoices):
    ILLNESS = "illness", _("患病")
    DISABILITY = "disability", _("残疾")
    ACCIDENT = "accident", _("意外事故")
    DISASTER = "disaster", _("自然灾害")
    UNEMPLOYMENT = "unemployment", _("失业")
    SCHOOLING = "schooling", _("子女就学")
    SINGLE_PARENT = "single_parent", _("单亲家庭")
    ELDER_CARE = "elder_care", _("赡养老人负担重")
    LOW_WAGE = "low_wage", _("收入低")
    OTHER = "other", _("其他")


class Relation(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    SERIOUS = "serious", _("大病重病")
    DISABLED = "disabled", _("残疾")


class Work(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    FLEXIBLE = "flexible", _("灵活就业")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    STUDENT = "student", _("在校学生")
    PRESCHOOL = "preschool", _("学龄前")
    UNABLE = "unable", _("无劳动能力")


class Education(models.TextChoices):
    NONE = "", _("—")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中职")
    UNIVERSITY = "university", _("大学（含高职）")
    POSTGRADUATE = "postgraduate", _("研究生")


class IncomeKind(models.TextChoices):
    WAGE = "wage", _("工资性收入")
    BUSINESS = "business", _("经营性收入")
    PROPERTY = "property", _("财产性收入")
    PENSION = "pension", _("养老金")
    TRANSFER = "transfer", _("转移性收入（低保、补助等）")
    OTHER = "other", _("其他收入")


class Housing(models.TextChoices):
    OWNED = "owned", _("自有住房")
    RENTED = "rented", _("租赁住房")
    PUBLIC = "public", _("公租房/廉租房")
    LODGING = "lodging", _("借住")
    DORMITORY = "dormitory", _("单位宿舍")
    NONE = "none", _("无固定住所")


class Need(models.TextChoices):
    LIVING = "living", _("生活救助")
    MEDICAL = "medical", _("医疗救助")
    SCHOOLING = "schooling", _("助学")
    JOBS = "jobs", _("就业帮扶")
    LEGAL = "legal", _("法律援助")
    HOUSING = "housing", _("住房")
    CARE = "care", _("照护")


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    INCOME = "income", _("收入证明")
    MEDICAL = "medical", _("病历/医疗票据")
    DISABILITY = "disability", _("残疾证")
    SCHOOL = "school", _("录取通知书/学籍证明")
    EXIT = "exit", _("脱困证明材料")
    OTHER = "other", _("其他材料")


class ActivityKind(models.TextChoices):
    """The typed activities of a file's timeline (CiviCase-style)."""

    OPEN = "open", _("建档")
    EDIT = "edit", _("修改档案")
    SUBMIT = "submit", _("提交核实")
    RETURN = "return", _("退回修改")
    VERIFY = "verify", _("核实通过")
    REJECT = "reject", _("不予建档")
    VISIT = "visit", _("走访")
    REVIEW = "review", _("年度复核")
    ASSISTANCE = "assistance", _("帮扶")
    EXIT = "exit", _("解困脱困")
    RELAPSE_CHECK = "relapse_check", _("返贫回访")
    REOPEN = "reopen", _("返贫重新建档")
    CLOSE = "close", _("销档")
    STANDARD = "standard", _("低保标准调整")
    DOCUMENT = "document", _("上传材料")


class AssessmentSource(models.TextChoices):
    VERIFY = "verify", _("建档核实")
    REVIEW = "review", _("年度复核")
    EXIT = "exit", _("脱困核查")
    FOLLOWUP = "followup", _("返贫回访")


class AssistanceKind(models.TextChoices):
    CASH = "cash", _("现金救助")
    GOODS = "goods", _("物资慰问")
    SCHOOL_GRANT = "school_grant", _("助学金")
    MEDICAL = "medical", _("医疗救助")
    JOB_REFERRAL = "job_referral", _("就业推荐")
    LEGAL = "legal", _("法律援助")


# Paid in money from the union's funds: these post to the ledger. Goods carry their value but
# were bought through the union's ordinary spending; referrals and legal aid carry no amount.
MONEY_KINDS = frozenset({AssistanceKind.CASH, AssistanceKind.SCHOOL_GRANT, AssistanceKind.MEDICAL})
NO_AMOUNT_KINDS = frozenset({AssistanceKind.JOB_REFERRAL, AssistanceKind.LEGAL})


class ProgrammeKind(models.TextChoices):
    WINTER = "winter", _("送温暖")
    AUTUMN_SCHOOL = "autumn_school", _("金秋助学")
    SUMMER = "summer", _("夏送清凉")
    SPRING_JOBS = "spring_jobs", _("春送岗位")
    CUSTOM = "custom", _("其他专项")


class EligibilityRule(models.TextChoices):
    CATEGORIES = "categories", _("在档帮扶且属所选类别的家庭")
    UNIVERSITY_ENTRANTS = "university_entrants", _("当年有子女考入大学的在档家庭")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    APPROVED = "approved", _("已审批")
    CLOSED = "closed", _("已结束")


PROGRAMME_TRANSITIONS: dict[str, set[str]] = {
    ProgrammeStatus.DRAFT: {ProgrammeStatus.APPROVED},
    ProgrammeStatus.APPROVED: {ProgrammeStatus.CLOSED},
    ProgrammeStatus.CLOSED: set(),
}


class BeneficiaryStatus(models.TextChoices):
    LISTED = "listed", _("拟帮扶")
    PAID = "paid", _("已发放")
    REMOVED = "removed", _("已移出")


# A listed household is paid once (the assistance record's one-to-one link) or removed; both end.
BENEFICIARY_TRANSITIONS: dict[str, set[str]] = {
    BeneficiaryStatus.LISTED: {BeneficiaryStatus.PAID, BeneficiaryStatus.REMOVED},
    BeneficiaryStatus.PAID: set(),
    BeneficiaryStatus.REMOVED: set(),
}
