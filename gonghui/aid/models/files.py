"""The hardship case file (困难职工档案, 建档立卡) of one member's household, and its parts.

`union` is the distribution key on every table here (SPEC §6: a union's files, household rows,
incomes and timeline sit on one shard); `union_path` is the union's materialised path copied
for subtree scoping (kept by the org.path_changed hook). The one exception is HouseholdClaim,
keyed by the person's blind index: it is the global "one open file per person" guard and, on
Citus, a table distributed by that hash (docs/aid.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.aid.models.choices import (
    OPEN_STATUSES,
    ActivityKind,
    AssessmentSource,
    Cause,
    DocumentKind,
    Education,
    FileStatus,
    Health,
    Housing,
    IncomeKind,
    Relation,
    Work,
)
from gonghui.aid.rules import Category
from gonghui.core.crypto import EncryptedTextField
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase


class HardshipFile(TimeStampedModel):
    number = models.CharField(_("档案编号"), max_length=32, blank=True)
    union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    union_path = models.CharField(max_length=255)
    applicant = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    # denormalised for lists (no join to the household) and for programme uniqueness
    applicant_name = models.CharField(_("申请人"), max_length=64)
    applicant_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=FileStatus.choices, default=FileStatus.DRAFT
    )
    # Gonghui's proposal, always for the current data and standard …
    proposed_category = models.CharField(
        _("建议类别"), max_length=16, choices=Category.choices, blank=True
    )
    # … and the category a cadre confirmed: only a cadre changes it (never a standard change).
    category = models.CharField(_("困难类别"), max_length=16, choices=Category.choices, blank=True)
    category_note = models.CharField(_("类别说明"), max_length=500, blank=True)
    category_confirmed_at = models.DateTimeField(_("类别确认时间"), null=True, blank=True)
    category_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("类别确认人"),
    )
    sudden = models.BooleanField(_("突发意外致困"), default=False)
    sudden_on = models.DateField(_("突发事件日期"), null=True, blank=True)
    sudden_description = models.CharField(_("突发事件说明"), max_length=500, blank=True)
    # the household's current figures, recomputed whenever members or incomes change
    household_size = models.PositiveSmallIntegerField(_("家庭人口"), default=0)
    monthly_income = MoneyField(_("家庭月收入"), default=0)
    per_capita_income = MoneyField(_("家庭月人均收入"), default=0)
    line = MoneyField(_("适用低保标准"), null=True, blank=True)
    line_year = models.PositiveSmallIntegerField(_("标准年度"), null=True, blank=True)
    upper_line = MoneyField(_("相对困难上限"), null=True, blank=True)
    housing = models.CharField(_("住房情况"), max_length=16, choices=Housing.choices, blank=True)
    housing_area = models.DecimalField(
        _("住房面积（平方米）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    housing_note = models.CharField(_("住房说明"), max_length=500, blank=True)
    needs = models.JSONField(_("帮扶需求"), default=list, blank=True)
    needs_note = models.TextField(_("需求说明"), blank=True)
    address = models.CharField(_("家庭住址"), max_length=255, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("建档人"),
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("核实人"),
    )
    next_review_due = models.DateField(_("下次复核日期"), null=True, blank=True)
    needs_review = models.BooleanField(_("需复核"), default=False)
    review_reason = models.CharField(_("复核原因"), max_length=500, blank=True)
    # first assessment of the current unbroken run at/above the exit line (解困脱困 clock)
    above_line_since = models.DateField(_("持续高于困难线起始"), null=True, blank=True)
    exited_on = models.DateField(_("脱困日期"), null=True, blank=True)
    watch_until = models.DateField(_("返贫监测截止"), null=True, blank=True)
    next_followup_due = models.DateField(_("下次回访日期"), null=True, blank=True)
    relapse_found = models.BooleanField(_("回访发现返贫"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("返贫重开次数"), default=0)

    history_model = "aid.FileActivity"  # the timeline: transition() writes the status rows

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "number"], condition=~models.Q(number=""),
                name="aid_file_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FileStatus.values), name="aid_file_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | ~models.Q(category=""),
                name="aid_file_active_has_category",
            ),
        ]
        indexes = [
            # the dashboard's counts by status, category and flag are index-only scans
            models.Index(fields=["union_path", "status"], name="aid_file_path_status",
                         include=["category", "needs_review"]),
            models.Index(fields=["status", "next_review_due"], name="aid_file_review_due"),
            models.Index(fields=["status", "next_followup_due"], name="aid_file_followup_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.applicant_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def category_differs(self) -> bool:
        return bool(self.category) and self.category != self.proposed_category


class HouseholdMember(models.Model):
    """A person of the household, the applicant included (relation 本人). Each has their own
    ID number (encrypted) and blind index, so a person is in at most one open file."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=64)
    relation = models.CharField(_("与申请人关系"), max_length=16, choices=Relation.choices)
    id_number = EncryptedTextField(_("身份证号码"))
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("身份证号码"), max_length=18)
    gender = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    health = models.CharField(_("健康状况"), max_length=16, choices=Health.choices,
                              default=Health.HEALTHY)
    health_note = models.CharField(_("病情/残疾说明"), max_length=255, blank=True)
    work = models.CharField(_("就业状况"), max_length=16, choices=Work.choices)
    education = models.CharField(_("在读学段"), max_length=16, choices=Education.choices,
                                 blank=True)
    university_entry_year = models.PositiveSmallIntegerField(
        _("考入大学年份"), null=True, blank=True
    )
    note = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]
        constraints = [
            # the file's union is in every key: the distribution column (docs/scale.md)
            models.UniqueConstraint(fields=["file", "id_hash", "union"],
                                    name="aid_member_once_per_file"),
            models.UniqueConstraint(
                fields=["file", "union"], condition=models.Q(relation="self"),
                name="aid_one_applicant"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdClaim(models.Model):
    """The guard of "one open file per person": a row per person of every open file, keyed by
    the person's blind index. Inserted when a person joins an open file, deleted when the file
    closes (exit, rejection, closing). The primary key decides under concurrency."""

    id_hash = models.CharField(max_length=64, primary_key=True)
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(HouseholdMember, on_delete=models.CASCADE, related_name="claim")

    class Meta:
        verbose_name = _("在档人员")
        verbose_name_plural = _("在档人员")

    def __str__(self) -> str:
        return f"{self.file_id}"


class IncomeSource(models.Model):
    """A monthly income of the household (average of the last 12 months), optionally of one
    member. The household's income is the sum of its sources."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="incomes")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        HouseholdMember, on_delete=models.CASCADE, null=True, blank=True, related_name="incomes",
        verbose_name=_("成员"),
    )
    kind = models.CharField(_("收入类型"), max_length=16, choices=IncomeKind.choices)
    monthly_amount = MoneyField(_("月均金额"))
    description = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("收入来源")
        verbose_name_plural = _("收入来源")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_amount__gte=0),
                                   name="aid_income_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.monthly_amount}"


class FileCause(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="causes")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    cause = models.CharField(_("致困原因"), max_length=16, choices=Cause.choices)

    class Meta:
        verbose_name = _("致困原因")
        verbose_name_plural = _("致困原因")
        constraints = [
            models.UniqueConstraint(fields=["file", "cause", "union"], name="aid_cause_once"),
        ]

    def __str__(self) -> str:
        return self.get_cause_display()


def _document_path(instance: FileDocument, filename: str) -> str:
    # never the uploaded name on disk: it may carry a person's name
    return f"aid/{instance.union_id}/{uuid.uuid4().hex}"


class FileDocument(models.Model):
    """A photo or document of a file. Stored outside any public URL; served only through the
    scoped view (aid:document)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="documents")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("材料类型"), max_length=16, choices=DocumentKind.choices)
    content = models.FileField(_("文件"), upload_to=_document_path, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("大小"))
    description = models.CharField(_("说明"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("档案材料")
        verbose_name_plural = _("档案材料")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.original_name


class FileActivity(HistoryBase):
    """One entry of the file's timeline: a typed activity, and the status history (from/to)
    when it moved the file (the file's `history_model`, written by `transition()`). Insert-only.

    The shared history fields keep this table's column names (status_from, status_to) and its
    free-length reason: a visit note or exit evidence runs to 2000 characters."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="activities")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    from_status = models.CharField(_("原状态"), max_length=32, choices=FileStatus.choices,
                                   blank=True, db_column="status_from")
    to_status = models.CharField(_("新状态"), max_length=32, choices=FileStatus.choices,
                                 blank=True, db_column="status_to")
    actor_name = models.CharField(_("经办人"), max_length=150)
    reason = models.TextField(_("说明/理由"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    history_subject_field = "file"

    class Meta:
        verbose_name = _("档案动态")
        verbose_name_plural = _("档案动态")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"], name="aid_activity_kind_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"


class IncomeAssessment(models.Model):
    """A dated check of the household's income against the lines (verification, yearly review,
    exit check, relapse follow-up): the evidence behind exit and relapse decisions."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="assessments")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("核查日期"))
    source = models.CharField(_("来源"), max_length=16, choices=AssessmentSource.choices)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    monthly_income = MoneyField(_("家庭月收入"))
    per_capita_income = MoneyField(_("月人均收入"))
    line = MoneyField(_("低保标准"))
    upper_line = MoneyField(_("困难线（相对困难上限）"))
    above_exit_line = models.BooleanField(_("高于困难线"))
    evidence = models.TextField(_("依据"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("收入核查")
        verbose_name_plural = _("收入核查")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(household_size__gte=1),
                                   name="aid_assessment_household_size"),
        ]

    def __str__(self) -> str:
        return f"{self.assessed_on} {self.per_capita_income}"
