from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class Level(models.TextChoices):
    """Where an org sits in the federation tree (SPEC §1). Ordered top to bottom."""

    NATIONAL = "national", _("全国")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区县/产业")
    STREET = "street", _("街道/乡镇/园区")
    GRASSROOTS = "grassroots", _("基层")
    BRANCH = "branch", _("分工会/小组")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


class OrgType(models.TextChoices):
    FEDERATION = "federation", _("总工会")
    INDUSTRY = "industry", _("产业工会")
    STREET = "street", _("街道工会")
    TOWN = "town", _("乡镇工会")
    PARK = "park", _("园区工会")
    GRASSROOTS = "grassroots", _("基层工会")
    JOINT = "joint", _("联合基层工会")
    TRADE_FEDERATION = "trade_federation", _("行业工会联合会")
    BRANCH = "branch", _("分工会")
    GROUP = "group", _("工会小组")


# Types that take members directly: grassroots unions, and the street / park / industry / joint
# unions that take workers whose employer has no union (两非一无) and new-employment workers.
MEMBER_HOLDING_TYPES = frozenset(
    {OrgType.GRASSROOTS, OrgType.JOINT, OrgType.TRADE_FEDERATION, OrgType.STREET, OrgType.TOWN,
     OrgType.PARK, OrgType.INDUSTRY, OrgType.BRANCH, OrgType.GROUP}
)  # fmt: skip


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    MERGED = "merged", _("已合并")
    DISSOLVED = "dissolved", _("已撤销")


# A union is created active; merging (合并) and dissolving (撤销) close it for good.
ORG_TRANSITIONS: dict[str, set[str]] = {
    OrgStatus.ACTIVE: {OrgStatus.MERGED, OrgStatus.DISSOLVED},
    OrgStatus.MERGED: set(),
    OrgStatus.DISSOLVED: set(),
}


code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9\-]{1,39}$", _("组织代码只能包含大写字母、数字和短横线，2 到 40 位。")
)


class Org(MP_Node, TimeStampedModel):  # type: ignore[django-manager-missing]  # treebeard is untyped
    """A union organisation. The materialised `path` (django-treebeard) makes every subtree a
    prefix range: `path LIKE 'prefix%'` on an index, whatever the depth."""

    # 4 characters per level over 36 symbols: 1.6 million children per parent, depth 63.
    steplen = 4

    code = models.CharField(_("组织代码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    org_type = models.CharField(_("类型"), max_length=20, choices=OrgType.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    industry = models.CharField(_("行业"), max_length=64, blank=True)
    region = models.CharField(_("所在区/县"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from",
        verbose_name=_("并入"),
    )
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    # Employees of the employer(s) this union covers, the denominator of 入会率.
    employees_count = models.PositiveIntegerField(_("职工人数"), default=0)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = MP_NodeManager()  # type: ignore[django-manager-missing]

    history_model = "orgs.OrgHistory"

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="org_uscc_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="org_merged_has_target",
            ),
        ]
        indexes = [models.Index(fields=["status", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def holds_members(self) -> bool:
        return self.org_type in MEMBER_HOLDING_TYPES

    def parent_path(self) -> str:
        return self.path[: -self.steplen]


class OrgHistory(HistoryBase):
    """One status change of an org (merged, dissolved): who, when, why."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="history")

    history_subject_field = "org"

    class Meta(HistoryBase.Meta):
        verbose_name = _("组织状态变更")
        verbose_name_plural = _("组织状态变更")

    @property
    def from_label(self) -> str:
        return str(OrgStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(OrgStatus(self.to_status).label)


class Employer(TimeStampedModel):
    """An employer in an area (street/district). Covered when `union` is set: the numerator of
    建会率 counts covered employers, its denominator all employers of the area's subtree."""

    name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    industry = models.CharField(_("行业"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    employees_count = models.PositiveIntegerField(_("职工人数"), default=0)
    area = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="area_employers", verbose_name=_("所在区域工会")
    )
    union = models.ForeignKey(
        Org, on_delete=models.SET_NULL, null=True, blank=True, related_name="employers",
        verbose_name=_("覆盖的工会"),
    )

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="employer_uscc_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name
