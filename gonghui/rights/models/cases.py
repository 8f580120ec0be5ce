"""Legal-aid and mediation cases (法律援助, 四方联动调解), their hand-offs, hearings and documents.

`union` is the distribution key (SPEC §6) and `union_path` its materialised path for subtree
scoping: a case belongs to the union where it was opened, and a referral to an outside body
(arbitration, court, people's mediation) keeps it there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase


class InParentUnion:
    """A child row of a union-distributed table carries its parent's union (the distribution
    column, core/citus.py): `parent_union = (own field, parent field, parent's union field)`.
    A save without it takes the parent's; bulk inserts set it themselves."""

    parent_union: tuple[str, str, str] = ("union", "case", "union")

    def save(self, *args: object, **kwargs: object) -> None:
        own, parent, parent_field = self.parent_union
        if getattr(self, f"{own}_id") is None:
            setattr(self, f"{own}_id", getattr(getattr(self, parent), f"{parent_field}_id"))
        super().save(*args, **kwargs)  # type: ignore[misc]


def _case_union() -> models.ForeignKey:  # type: ignore[type-arg]
    # the case's union: the distribution column (docs/scale.md), filled from the case
    return models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                             editable=False)


class DisputeType(models.TextChoices):
    WAGES = "wages", _("拖欠工资")
    DISMISSAL = "dismissal", _("解除劳动关系")
    INJURY = "injury", _("工伤")
    CONTRACT = "contract", _("劳动合同")
    INSURANCE = "insurance", _("社会保险")
    OTHER = "other", _("其他")


class CaseKind(models.TextChoices):
    REQUEST = "request", _("待甄别的求助")
    LEGAL_AID = "legal_aid", _("法律援助")
    MEDIATION = "mediation", _("调解")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已结案")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.SUBMITTED: {CaseStatus.OPEN, CaseStatus.REJECTED, CaseStatus.WITHDRAWN},
    CaseStatus.OPEN: {CaseStatus.CLOSED, CaseStatus.WITHDRAWN},
}
OPEN_CASE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.OPEN)


class Body(models.TextChoices):
    """The four parties of 四方联动 a dispute moves between."""

    UNION = "union", _("工会劳动争议调解委员会")
    ARBITRATION = "arbitration", _("劳动人事争议仲裁委员会（人社）")
    COURT = "court", _("人民法院")
    PEOPLES = "peoples", _("人民调解委员会（司法局）")


class Outcome(models.TextChoices):
    SETTLED = "settled", _("和解")
    AGREEMENT = "agreement", _("达成调解协议")
    AWARD = "award", _("仲裁裁决")
    JUDGMENT = "judgment", _("法院判决")
    WITHDRAWN = "withdrawn", _("撤回")


class Lawyer(TimeStampedModel):
    """The registry of union lawyers and legal-aid volunteers of a union's subtree."""

    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("工会律师")
        VOLUNTEER = "volunteer", _("法律援助志愿者")

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("所属工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("姓名"), max_length=64)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.LAWYER)
    firm = models.CharField(_("律师事务所/单位"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("律师/志愿者")
        verbose_name_plural = _("律师/志愿者")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Case(TimeStampedModel):
    number = models.CharField(_("案件编号"), max_length=32, blank=True)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("受理工会"))
    union_path = models.CharField(max_length=255)
    kind = models.CharField(_("案件类型"), max_length=16, choices=CaseKind.choices,
                            default=CaseKind.REQUEST)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices,
                              default=CaseStatus.SUBMITTED)
    # the worker (a member or not: the union helps every worker)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("求助职工账户"))
    worker_name = models.CharField(_("职工姓名"), max_length=64)
    worker_id_number = EncryptedTextField(_("身份证号码"), null=True, blank=True)
    worker_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    worker_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_member = models.BooleanField(_("工会会员"), default=False)
    employer = models.ForeignKey("orgs.Employer", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("用人单位"))
    employer_name = models.CharField(_("用人单位名称"), max_length=200, blank=True)
    dispute_type = models.CharField(_("争议类型"), max_length=16, choices=DisputeType.choices)
    description = models.TextField(_("情况说明"))
    workers_involved = models.PositiveIntegerField(_("涉及人数"), default=1)
    amount_claimed = MoneyField(_("诉求金额"), default=0)
    known_on = models.DateField(_("知道权利被侵害之日"))
    applied_on = models.DateField(_("申请日期"))
    # the body that holds the dispute now, and since when (四方联动)
    body = models.CharField(_("当前办理机构"), max_length=16, choices=Body.choices,
                            default=Body.UNION)
    body_since = models.DateField(_("转入当前机构日期"))
    arbitration_accepted_on = models.DateField(_("仲裁受理日期"), null=True, blank=True)
    arbitration_extended = models.BooleanField(_("仲裁期限已延长"), default=False)
    lawyer = models.ForeignKey(Lawyer, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="cases", verbose_name=_("承办律师/志愿者"))
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, blank=True)
    amount_recovered = MoneyField(_("为职工挽回金额"), default=0)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("职工评价"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)

    history_model = "rights.CaseHistory"

    class Meta:
        verbose_name = _("维权案件")
        verbose_name_plural = _("维权案件")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["union", "number"], condition=~models.Q(number=""),
                                    name="rights_case_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=CaseStatus.values),
                                   name="rights_case_status_valid"),
            models.CheckConstraint(condition=models.Q(amount_claimed__gte=0)
                                   & models.Q(amount_recovered__gte=0),
                                   name="rights_case_amounts_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="rights_case_rating_1_5"),
            models.CheckConstraint(condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                                   name="rights_case_closed_has_outcome"),
            models.CheckConstraint(condition=models.Q(applied_on__gte=models.F("known_on")),
                                   name="rights_case_applied_after_known"),
        ]
        indexes = [
            models.Index(fields=["union_path", "status"], name="rights_case_path_status",
                         include=["kind", "dispute_type"]),
            models.Index(fields=["status", "body", "applied_on"], name="rights_case_clock"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.worker_name}"


class CaseHistory(InParentUnion, HistoryBase):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="history")
    union = _case_union()
    history_subject_field = "case"

    class Meta(HistoryBase.Meta):
        verbose_name = _("案件进程")


class Referral(InParentUnion, models.Model):
    """One hand-off between the four parties: from, to, date, reason, documents."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    union = _case_union()
    from_body = models.CharField(_("移出机构"), max_length=16, choices=Body.choices)
    to_body = models.CharField(_("移入机构"), max_length=16, choices=Body.choices)
    on = models.DateField(_("移交日期"))
    reason = models.CharField(_("移交原因"), max_length=500)
    documents = models.CharField(_("随附材料"), max_length=500, blank=True)
    actor_name = models.CharField(_("经办人"), max_length=150)
    at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_body=models.F("to_body")),
                                   name="rights_referral_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_body_display()}→{self.get_to_body_display()}"


class Hearing(InParentUnion, models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    union = _case_union()
    on = models.DateField(_("日期"))
    body = models.CharField(_("机构"), max_length=16, choices=Body.choices)
    note = models.CharField(_("情况记录"), max_length=1000)
    actor_name = models.CharField(_("记录人"), max_length=150)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.note[:20]}"


class CaseDocument(InParentUnion, models.Model):
    """A photo or file of a case: personal data, served only through a scoped, logged view."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    union = _case_union()
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name
