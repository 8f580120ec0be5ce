"""Honour schemes (五一劳动奖状/奖章, 工人先锋号, 劳模, 上海工匠, 职工创新成果奖), their quotas per
district/industry union, and the nominations that go up the tree to 公示 and conferral."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.awards.models.competitions import InParentOrg
from gonghui.core.workflow import HistoryBase


class HonourKind(models.TextChoices):
    LABOUR_CERTIFICATE = "labour_certificate", _("五一劳动奖状")
    LABOUR_MEDAL = "labour_medal", _("五一劳动奖章")
    PIONEER = "pioneer", _("工人先锋号")
    MODEL_WORKER = "model_worker", _("劳动模范/先进工作者")
    CRAFTSMAN = "craftsman", _("上海工匠")
    INNOVATION = "innovation", _("职工创新成果奖")


class NomineeType(models.TextChoices):
    INDIVIDUAL = "individual", _("个人")
    UNIT = "unit", _("单位")
    TEAM = "team", _("集体/班组")


# Who an honour goes to: the 奖状 to a unit, 工人先锋号 to a team, the rest to people.
NOMINEE_TYPE = {
    HonourKind.LABOUR_CERTIFICATE: NomineeType.UNIT,
    HonourKind.LABOUR_MEDAL: NomineeType.INDIVIDUAL,
    HonourKind.PIONEER: NomineeType.TEAM,
    HonourKind.MODEL_WORKER: NomineeType.INDIVIDUAL,
    HonourKind.CRAFTSMAN: NomineeType.INDIVIDUAL,
    HonourKind.INNOVATION: NomineeType.INDIVIDUAL,
}


class WorkerCategory(models.TextChoices):
    """The composition categories of a nominee list (一线职工, 技术人员, 管理人员)."""

    FRONTLINE = "frontline", _("一线职工")
    TECHNICAL = "technical", _("专业技术人员")
    MANAGER = "manager", _("企业负责人/管理人员")
    OTHER = "other", _("其他")


class HonourScheme(models.Model):
    """One year's round of one honour, issued by a union (the city for 上海工匠)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("评选工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("荣誉类型"), max_length=24, choices=HonourKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    # the issuing level (city, district …): the exclusion rule looks at honours of this level
    level = models.CharField(_("授予层级"), max_length=16)
    notice_working_days = models.PositiveSmallIntegerField(_("公示工作日数"), default=5)
    # Composition rules in whole percent; None = no rule.
    min_frontline_pct = models.PositiveSmallIntegerField(_("一线职工最低比例（%）"), null=True,
                                                         blank=True)
    min_technical_pct = models.PositiveSmallIntegerField(_("技术人员最低比例（%）"), null=True,
                                                         blank=True)
    max_manager_pct = models.PositiveSmallIntegerField(_("管理人员最高比例（%）"), null=True,
                                                       blank=True)
    min_women_pct = models.PositiveSmallIntegerField(_("女性最低比例（%）"), null=True, blank=True)
    # A person honoured at this level within this many years (this one included) is excluded.
    exclusion_years = models.PositiveSmallIntegerField(_("近几年内已获同级荣誉者不得推荐"),
                                                       default=0)
    nomination_deadline = models.DateField(_("推荐截止日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "kind", "id"]
        verbose_name = _("评选项目")
        verbose_name_plural = _("评选项目")
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "year"], name="awards_scheme_once"),
            models.CheckConstraint(condition=Q(notice_working_days__gte=1)
                                   & Q(notice_working_days__lte=60),
                                   name="awards_scheme_notice_days"),
            models.CheckConstraint(
                condition=(Q(min_frontline_pct__isnull=True) | Q(min_frontline_pct__lte=100))
                & (Q(min_technical_pct__isnull=True) | Q(min_technical_pct__lte=100))
                & (Q(max_manager_pct__isnull=True) | Q(max_manager_pct__lte=100))
                & (Q(min_women_pct__isnull=True) | Q(min_women_pct__lte=100)),
                name="awards_scheme_pct_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def nominee_type(self) -> str:
        return NOMINEE_TYPE[HonourKind(self.kind)]

    @property
    def has_shares(self) -> bool:
        return self.nominee_type == NomineeType.INDIVIDUAL and any(
            v is not None for v in (self.min_frontline_pct, self.min_technical_pct,
                                    self.max_manager_pct, self.min_women_pct))


class Quota(models.Model):
    """How many nominations a district/industry union may send up for a scheme. `used` counts
    the live nominations that reached it; changed only under a row lock (select_for_update)."""

    scheme = models.ForeignKey(HonourScheme, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("名额单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    quota = models.PositiveIntegerField(_("名额"))
    used = models.PositiveIntegerField(_("已用"), default=0)

    class Meta:
        ordering = ["org_path"]
        verbose_name = _("名额")
        verbose_name_plural = _("名额")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="awards_quota_once"),
            models.CheckConstraint(condition=Q(used__lte=models.F("quota")),
                                   name="awards_quota_not_exceeded"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.used}/{self.quota}"


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("审核中")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("未通过")
    SHORTLISTED = "shortlisted", _("拟表彰")
    IN_NOTICE = "in_notice", _("公示中")
    WITHDRAWN = "withdrawn", _("已撤销")
    APPROVED = "approved", _("已批准")
    CONFERRED = "conferred", _("已授予")


S = NominationStatus
# A nomination at a level is forwarded to the next level (submitted → submitted), returned to
# its union for correction (which resubmits it), rejected, or — at the issuing union —
# shortlisted for 公示; an upheld objection withdraws it, a clean 公示 approves it.
NOMINATION_TRANSITIONS = {
    S.SUBMITTED: {S.SUBMITTED, S.RETURNED, S.REJECTED, S.SHORTLISTED, S.WITHDRAWN},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
    S.SHORTLISTED: {S.IN_NOTICE, S.RETURNED, S.REJECTED},
    S.IN_NOTICE: {S.APPROVED, S.WITHDRAWN},
    S.APPROVED: {S.CONFERRED},
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
    S.CONFERRED: set(),
}
NOMINATION_INITIAL = {S.SUBMITTED}
# Statuses that hold a place: the person/unit cannot be nominated again, quota stays used.
LIVE_STATUSES = (S.SUBMITTED, S.RETURNED, S.SHORTLISTED, S.IN_NOTICE, S.APPROVED, S.CONFERRED)
PAST_REVIEW = (S.SHORTLISTED, S.IN_NOTICE, S.APPROVED, S.CONFERRED)


class Nomination(InParentOrg, models.Model):
    scheme = models.ForeignKey(HonourScheme, on_delete=models.PROTECT,
                               related_name="nominations", verbose_name=_("评选项目"))
    # the scheme's issuing union: the distribution column (docs/scale.md), so a scheme's
    # nominations lie on one shard and "a nominee once per scheme" holds there
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            editable=False, verbose_name=_("评选工会"))
    parent_org = ("org", "scheme", "org")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("推荐单位"))
    union_path = models.CharField(max_length=255, db_index=True)
    # The level now reviewing it (the issuing union once shortlisted).
    at_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("当前审核单位"))
    at_path = models.CharField(max_length=255)
    # The quota it consumes once it has reached the quota holder (None before, or no quota).
    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="nominations")
    nominee_type = models.CharField(_("推荐对象类型"), max_length=12, choices=NomineeType.choices)
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("被推荐人"))
    # "p<person id>", "u<unit>", "t<unit>/<team>": one live nomination per scheme.
    nominee_key = models.CharField(max_length=300)
    name = models.CharField(_("姓名/名称"), max_length=200)
    unit_name = models.CharField(_("工作单位"), max_length=200)
    gender = models.CharField(_("性别"), max_length=1, blank=True)
    category = models.CharField(_("人员类别"), max_length=12, choices=WorkerCategory.choices,
                                blank=True)
    job_title = models.CharField(_("职务/岗位"), max_length=100, blank=True)
    deeds = models.TextField(_("主要事迹"))
    # What a 公示 shows: a sentence, never an ID number or phone.
    deeds_summary = models.CharField(_("事迹摘要"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=NominationStatus.choices,
                              default=NominationStatus.SUBMITTED)
    rank = models.PositiveIntegerField(_("排序"), null=True, blank=True)
    notice = models.ForeignKey("notices.Notice", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("公示"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("推荐时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history_model = "awards.NominationHistory"
    TRANSITIONS = NOMINATION_TRANSITIONS

    class Meta:
        ordering = ["scheme", "rank", "id"]
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        constraints = [
            # A person (unit, team) appears once per scheme and year, whoever nominates.
            models.UniqueConstraint(fields=["scheme", "nominee_key", "org"],
                                    condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                                    name="awards_nominee_once_per_scheme"),
            models.CheckConstraint(condition=Q(nominee_type="individual", person__isnull=False)
                                   | ~Q(nominee_type="individual"),
                                   name="awards_individual_has_person"),
        ]
        indexes = [models.Index(fields=["scheme", "status", "at_path"],
                                name="awards_nom_review")]

    def __str__(self) -> str:
        return self.name

    @property
    def public_text(self) -> str:
        if self.nominee_type == NomineeType.INDIVIDUAL:
            return f"{self.name} {self.unit_name} {self.deeds_summary}"
        return f"{self.name} {self.deeds_summary}"


class NominationHistory(InParentOrg, HistoryBase):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="history")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            editable=False)  # the nomination's: the distribution column
    parent_org = ("org", "nomination", "org")
    level_name = models.CharField(_("审核单位"), max_length=200, blank=True)
    rank = models.PositiveIntegerField(_("排序"), null=True, blank=True)
    history_subject_field = "nomination"

    class Meta(HistoryBase.Meta):
        verbose_name = _("推荐审核记录")
        verbose_name_plural = _("推荐审核记录")


class NominationAttachment(InParentOrg, models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE,
                                   related_name="attachments")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            editable=False)  # the nomination's: the distribution column
    parent_org = ("org", "nomination", "org")
    name = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="awards/attachments/%Y/")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("推荐附件")
        verbose_name_plural = _("推荐附件")

    def __str__(self) -> str:
        return self.name
