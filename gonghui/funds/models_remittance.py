"""The employer remittance register (拨缴经费台账): what each employer declared as its month's
payroll, the 2 % due on it, what it paid. Imported by `gonghui.funds.models`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import MoneyField


class PayrollDeclaration(models.Model):
    """An employer's payroll (工资总额) of one month and the allocation due on it (2 %, rounded
    half up to the fen), with the sum paid against it so far (`paid`, kept in the payment's
    transaction under this row's lock). Arrears (欠缴) = due − paid; negative: overpaid."""

    # the collecting union (the employer's union, else its area's federation): the register
    # is scoped through it
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("收缴工会"))
    employer = models.ForeignKey("orgs.Employer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("用人单位"))
    period = models.PositiveIntegerField(_("月份"))  # year * 100 + month
    payroll = MoneyField(_("工资总额"))
    due = MoneyField(_("应缴经费"))
    paid = MoneyField(_("已缴经费"), default=0)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("录入人"))
    declared_by_name = models.CharField(_("录入人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工资总额申报")
        verbose_name_plural = _("工资总额申报")
        constraints = [
            # one declaration per employer and month (the union is in the key for Citus: an
            # employer's register stays with its collecting union)
            models.UniqueConstraint(fields=["union", "employer", "period"],
                                    name="funds_declaration_unique"),
            models.CheckConstraint(condition=models.Q(payroll__gte=0) & models.Q(due__gte=0)
                                   & models.Q(paid__gte=0),
                                   name="funds_declaration_not_negative"),
            models.CheckConstraint(
                condition=models.Q(period__gte=190001) & models.Q(period__lte=299912),
                name="funds_declaration_period_valid"),
        ]
        indexes = [models.Index(fields=["union", "period"], name="funds_decl_union_period")]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.period}"

    @property
    def arrears(self) -> Decimal:
        return Decimal(self.due) - Decimal(self.paid)

    @property
    def period_label(self) -> str:
        return f"{self.period // 100}-{self.period % 100:02d}"


class EmployerPayment(models.Model):
    """A payment of an employer against one month's declaration. `transaction` is the ledger
    posting of the 拨缴 income (posted with the payment, or an existing allocation posting the
    treasurer links). Insert-only."""

    declaration = models.ForeignKey(PayrollDeclaration, on_delete=models.PROTECT,
                                    related_name="payments", verbose_name=_("申报"))
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("缴款日期"))
    amount = MoneyField(_("金额"))
    transaction = models.ForeignKey(
        "funds.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("记账凭证"))
    note = models.CharField(_("备注"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("录入人"))
    created_by_name = models.CharField(_("录入人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拨缴经费到账")
        verbose_name_plural = _("拨缴经费到账")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="funds_payment_positive"),
            # a ledger posting pays one month of one employer at most
            models.UniqueConstraint(fields=["union", "transaction"],
                                    name="funds_payment_tx_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.amount}"
