"""Help given: assistance records, and the seasonal programmes (送温暖, 金秋助学, 夏送清凉,
春送岗位) whose beneficiary lists are generated from the files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.aid.models.choices import (
    MONEY_KINDS,
    NO_AMOUNT_KINDS,
    AssistanceKind,
    BeneficiaryStatus,
    EligibilityRule,
    ProgrammeKind,
    ProgrammeStatus,
)
from gonghui.aid.models.files import HardshipFile
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase


class Programme(TimeStampedModel):
    """A seasonal programme run by a union (usually a district or the city) for the files of
    its subtree. Its row is the lock that keeps the budget: every change of the committed or
    paid total locks it first (select_for_update)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办工会")
    )
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("项目类型"), max_length=16, choices=ProgrammeKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    budget = MoneyField(_("预算"))
    amount_per_household = MoneyField(_("每户标准"))
    assistance_kind = models.CharField(
        _("帮扶方式"), max_length=16, choices=AssistanceKind.choices, default=AssistanceKind.CASH
    )
    rule = models.CharField(_("对象条件"), max_length=24, choices=EligibilityRule.choices)
    categories = models.JSONField(_("困难类别"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("创建人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    history_model = "aid.ProgrammeHistory"

    class Meta:
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0),
                                   name="aid_programme_budget_nonnegative"),
            models.CheckConstraint(condition=models.Q(amount_per_household__gte=0),
                                   name="aid_programme_amount_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeHistory(HistoryBase):
    """A status move of a programme (approved, closed): who, when, why. Insert-only."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="history")

    history_subject_field = "programme"

    class Meta(HistoryBase.Meta):
        verbose_name = _("帮扶项目状态记录")
        verbose_name_plural = _("帮扶项目状态记录")


class Beneficiary(models.Model):
    """A household on a programme's list. One row per household per programme (database
    constraint, by file and by the applicant's blind index); paid at most once, through the
    one-to-one link from its assistance record."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT,
                                  related_name="beneficiaries")
    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255)
    applicant_hash = models.CharField(max_length=64)
    amount = MoneyField(_("金额"))
    status = models.CharField(_("状态"), max_length=16, choices=BeneficiaryStatus.choices,
                              default=BeneficiaryStatus.LISTED)
    removed_reason = models.CharField(_("移出原因"), max_length=255, blank=True)
    paid_at = models.DateTimeField(_("发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶对象")
        verbose_name_plural = _("帮扶对象")
        ordering = ["union_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "file", "union"],
                                    name="aid_beneficiary_once_per_file"),
            models.UniqueConstraint(fields=["programme", "applicant_hash"],
                                    name="aid_beneficiary_once_per_person"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="aid_beneficiary_amount_nonnegative"),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="aid_benef_prog_status")]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.file_id}"


class BeneficiaryClaim(models.Model):
    """The claim of (programme, applicant): a household once per programme across unions
    (`aid_beneficiary_once_per_person`, which Citus cannot hold: the list rows are distributed
    by their union). On Citus distributed by `applicant_hash` (core/citus.py
    DISTRIBUTED_BY_KEY) and its unique key contains it, so Citus enforces the key across the
    cluster. Inserted with the list rows, in their transaction, by the programme services
    (`beneficiaries_generate`, `beneficiary_add`); never removed, as the key counts removed and
    paid rows too and list rows are not deleted (a merge moves them, keeping the key). Filled for
    existing rows by migration aid 0006."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    applicant_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("帮扶对象占用")
        verbose_name_plural = _("帮扶对象占用")
        constraints = [
            models.UniqueConstraint(fields=["programme", "applicant_hash"],
                                    name="aid_beneficiary_claim_once"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.applicant_hash[:8]}"


class Assistance(models.Model):
    """Help given to a household. Money kinds post to the paying union's ledger through the
    funds posting service, idempotent by `idempotency_key` (a retried form or API call records
    and posts once)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="assistance")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("帮扶方式"), max_length=16, choices=AssistanceKind.choices)
    amount = MoneyField(_("金额"), default=0)
    description = models.CharField(_("内容"), max_length=255, blank=True)
    given_on = models.DateField(_("帮扶日期"))
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="assistance",
        verbose_name=_("所属项目"),
    )
    beneficiary = models.OneToOneField(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="assistance"
    )
    paying_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("支出单位")
    )
    idempotency_key = models.CharField(max_length=64)
    ledger_transaction_id = models.BigIntegerField(_("记账凭证"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("经办人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    # set by assistance_record: False when a retry returned the record made the first time
    was_created = True

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["union", "idempotency_key"],
                                    name="aid_assistance_idempotent"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="aid_assistance_amount_nonnegative"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(MONEY_KINDS)) | models.Q(amount__gt=0),
                name="aid_assistance_money_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(NO_AMOUNT_KINDS)) | models.Q(amount=0),
                name="aid_assistance_no_amount",
            ),
        ]
        indexes = [
            # money per programme over a subtree and year: an index-only scan
            models.Index(fields=["union_path", "given_on"], name="aid_assist_path_date",
                         include=["programme", "amount"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
