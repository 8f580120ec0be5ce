"""Enrolment (参保) per plan year, and the accounts benefits are paid to.

The enrolment row is also the member's plan-year accumulator: `used_amount` is what the year has
already given (pending, approved and paid payouts). Processing locks it (SELECT … FOR UPDATE)
before computing a benefit, so two settlements of one member processed at the same moment by
two workers cannot both take the last of the year cap.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.money import MoneyField


class EnrolmentRun(models.Model):
    """One cadre's enrolment of (some of) a union's members for a plan year, with the
    contribution it posted to the union's ledger."""

    plan = models.ForeignKey("mutualaid.Plan", on_delete=models.PROTECT, related_name="runs")
    version = models.ForeignKey("mutualaid.PlanVersion", on_delete=models.PROTECT,
                                related_name="+")
    plan_year = models.PositiveSmallIntegerField(_("计划年度"))
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("工会"))
    union_path = models.CharField(max_length=255, db_index=True)
    enrolled_count = models.PositiveIntegerField(_("参保人数"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过人数"), default=0)
    amount = MoneyField(_("缴费金额"), default=0)
    enrolled_on = models.DateField(_("参保日期"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参保登记")
        verbose_name_plural = _("参保登记")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.plan_year} #{self.pk}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("保障中")
    CANCELLED = "cancelled", _("已退保")


# No service cancels an enrolment yet (a member leaving keeps cover to the year's end); the
# table says what a future 退保 may do.
ENROLMENT_TRANSITIONS: dict[str, set[str]] = {
    EnrolmentStatus.ACTIVE: {EnrolmentStatus.CANCELLED},
}


class Enrolment(models.Model):
    """One person in one plan for one plan year. Distribution key: union (SPEC §6)."""

    plan = models.ForeignKey("mutualaid.Plan", on_delete=models.PROTECT,
                             related_name="enrolments", verbose_name=_("计划"))
    plan_year = models.PositiveSmallIntegerField(_("计划年度"))
    starts_on = models.DateField(_("保障期起"))
    ends_on = models.DateField(_("保障期止"))
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT,
                               related_name="mutualaid_enrolments", verbose_name=_("会员"))
    # Copy of person.id_hash: settlement records are matched on it with no join.
    id_hash = models.CharField(max_length=64)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("参保工会"))
    union_path = models.CharField(max_length=255)
    run = models.ForeignKey(EnrolmentRun, on_delete=models.PROTECT, related_name="enrolments",
                            null=True, blank=True)
    enrolled_on = models.DateField(_("参保日期"))
    # Enrolled in the same plan the year before without a gap: no new waiting period (续保).
    renewal = models.BooleanField(_("续保"), default=False)
    contribution = MoneyField(_("缴费"))
    status = models.CharField(_("状态"), max_length=16, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ACTIVE)
    used_amount = MoneyField(_("本年度已给付"), default=0)
    claims_count = models.PositiveIntegerField(_("给付次数"), default=0)

    class Meta:
        verbose_name = _("参保记录")
        verbose_name_plural = _("参保记录")
        constraints = [
            models.UniqueConstraint(fields=["plan", "plan_year", "person"],
                                    name="ma_enrolment_once_per_year"),
            models.CheckConstraint(condition=Q(used_amount__gte=0),
                                   name="ma_enrolment_used_not_negative"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")),
                                   name="ma_enrolment_period_order"),
        ]
        indexes = [
            models.Index(fields=["id_hash"], name="ma_enrolment_id_hash"),
            models.Index(fields=["union_path", "plan", "plan_year"], name="ma_enrolment_path"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.plan_id} {self.plan_year}"


class PayeeAccount(models.Model):
    """A member's bank account for payouts (收款账户). The number is encrypted (PIPL) and shown
    masked; a new account replaces the current one and the old row stays for the record."""

    person = models.ForeignKey("members.Person", on_delete=models.PROTECT,
                               related_name="mutualaid_accounts", verbose_name=_("会员"))
    # the union the account was registered through: distribution column (docs/scale.md)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    holder_name = models.CharField(_("户名"), max_length=64)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_number = EncryptedTextField(_("银行账号"))
    account_masked = models.CharField(_("银行账号"), max_length=40)
    is_current = models.BooleanField(_("当前账户"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(is_current=True),
                                    name="ma_payee_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_masked}"


# The claims below carry two rules that span unions (core/citus.py CROSS_UNION_UNIQUES): on one
# node the unique keys of Enrolment and PayeeAccount hold them too, on Citus those keys cannot
# exist (the rows are distributed by their union). Each claim table is distributed by a key of
# its own (DISTRIBUTED_BY_KEY) and its unique key contains that column, so Citus enforces it
# across the cluster. Written in the transaction of the row they guard, by the one service that
# writes such rows; filled for existing rows by migration mutualaid 0009. The foreign key from a
# claim to a union-distributed row (the current account) is dropped on Citus (KEYED_FKS).


class EnrolmentClaim(models.Model):
    """The claim of (plan, plan year, person): one enrolment per person, plan and year across
    unions (`ma_enrolment_once_per_year`). Inserted by `enrol_members` with the enrolments
    (`INSERT … ON CONFLICT DO NOTHING RETURNING`: a person whose claim is taken is skipped, as
    the unique key skipped them). Never removed: the key counts every enrolment, cancelled ones
    too, and enrolments are not deleted (a merge moves them with their person, plan and year)."""

    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("mutualaid.Plan", on_delete=models.PROTECT, related_name="+")
    plan_year = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("参保年度占用")
        verbose_name_plural = _("参保年度占用")
        constraints = [
            # on Citus distributed by person_id: the key contains it
            models.UniqueConstraint(fields=["person", "plan", "plan_year"],
                                    name="ma_enrolment_claim_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.plan_id} {self.plan_year}"


class CurrentPayeeClaim(models.Model):
    """The claim of a person's current payee account (`ma_payee_one_current`): one row per
    person who has a current account, pointing at it. `payee_account_set` takes the row first
    (an upsert that locks it), retires the old account and points the row at the new one, so
    two registrations for one person in two unions at once run one after the other and exactly
    one account stays current."""

    person = models.OneToOneField("members.Person", on_delete=models.PROTECT, primary_key=True,
                                  related_name="+")
    # the current PayeeAccount; NULL only inside the transaction that registers the person's
    # first account
    account = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, null=True,
                                related_name="+")

    class Meta:
        verbose_name = _("当前收款账户")
        verbose_name_plural = _("当前收款账户")

    def __str__(self) -> str:
        return f"{self.person_id} {self.account_id}"
