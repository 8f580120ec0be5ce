"""Collective contracts (集体合同规定, 2004): negotiation, adoption by the workers' congress,
signing, filing, entry into force, term and renewal, and the employers they cover."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class ContractKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合性集体合同")
    WAGE = "wage", _("工资专项集体合同")
    WOMEN = "women", _("女职工权益保护专项集体合同")
    REGIONAL = "regional", _("区域性集体合同")
    INDUSTRY = "industry", _("行业性集体合同")


MULTI_EMPLOYER_KINDS = (ContractKind.REGIONAL, ContractKind.INDUSTRY)


class ContractStatus(models.TextChoices):
    NEGOTIATING = "negotiating", _("协商中")
    ADOPTED = "adopted", _("职代会已通过")
    SIGNED = "signed", _("已签订")
    FILED = "filed", _("已报送备案")
    OBJECTED = "objected", _("劳动部门提出异议")
    ABANDONED = "abandoned", _("协商终止")


CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.NEGOTIATING: {ContractStatus.ADOPTED, ContractStatus.ABANDONED},
    ContractStatus.ADOPTED: {ContractStatus.SIGNED, ContractStatus.ABANDONED},
    ContractStatus.SIGNED: {ContractStatus.FILED},
    ContractStatus.FILED: {ContractStatus.OBJECTED},
    ContractStatus.OBJECTED: {ContractStatus.NEGOTIATING},
}


class Contract(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("工会"))
    org_path = models.CharField(max_length=255)
    kind = models.CharField(_("种类"), max_length=16, choices=ContractKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=ContractStatus.choices,
                              default=ContractStatus.NEGOTIATING)
    requested_on = models.DateField(_("书面协商要求日期"))
    answered_on = models.DateField(_("对方答复日期"), null=True, blank=True)
    delegates_total = models.PositiveIntegerField(_("职代会代表（或全体职工）总数"), null=True,
                                                  blank=True)
    delegates_present = models.PositiveIntegerField(_("出席人数"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成票"), null=True, blank=True)
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    received_on = models.DateField(_("劳动部门收到日期"), null=True, blank=True)
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    term_start = models.DateField(_("期限起始"), null=True, blank=True)
    term_end = models.DateField(_("期限届满"), null=True, blank=True)

    history_model = "rights.ContractHistory"

    class Meta:
        verbose_name = _("集体合同")
        verbose_name_plural = _("集体合同")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ContractStatus.values),
                                   name="rights_contract_status_valid"),
            models.CheckConstraint(condition=models.Q(term_end__isnull=True)
                                   | models.Q(term_end__gt=models.F("term_start")),
                                   name="rights_contract_term_order"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="rights_contract_path"),
                   models.Index(fields=["status", "term_end"], name="rights_contract_term")]

    def __str__(self) -> str:
        return self.title


class ContractHistory(HistoryBase):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="history")
    history_subject_field = "contract"

    class Meta(HistoryBase.Meta):
        verbose_name = _("集体合同进程")


class Representative(models.Model):
    """集体合同规定 Art. 19: at least 3 representatives a side, one of them the chief."""

    class Side(models.TextChoices):
        WORKERS = "workers", _("职工方")
        EMPLOYER = "employer", _("用人单位方")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE,
                                 related_name="representatives")
    side = models.CharField(_("方"), max_length=16, choices=Side.choices)
    name = models.CharField(_("姓名"), max_length=64)
    is_chief = models.BooleanField(_("首席代表"), default=False)

    class Meta:
        ordering = ["side", "-is_chief", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "side"], condition=models.Q(is_chief=True),
                                    name="rights_one_chief_per_side"),
        ]

    def __str__(self) -> str:
        return self.name


class Coverage(models.Model):
    """An employer a contract covers (many for regional and industry contracts)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="coverage")
    employer = models.ForeignKey("orgs.Employer", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "employer"],
                                    name="rights_coverage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.employer_id}"
