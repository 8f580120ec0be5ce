"""Union funds (工会经费): a double-entry ledger per union.

Every union (an `orgs.Org`) has its own book: a chart of accounts following the union accounting
system's five classes (资产, 负债, 净资产, 收入, 支出), transactions whose lines sum to zero, and a
maintained balance per (union, account, month) for reports. Ledger rows are insert-only; a
mistake is corrected by a reversing transaction. `union` is the distribution key on every table
(SPEC §6: a union's ledger sits on one shard).

Amounts: `Decimal` to the fen. A line's `amount` is signed: debit positive, credit negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import MoneyField


class Category(models.TextChoices):
    """The five classes of the union accounting system (工会会计制度)."""

    ASSET = "asset", _("资产")
    LIABILITY = "liability", _("负债")
    NET_ASSETS = "net_assets", _("净资产")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


# Accounts whose balance is normally on the debit side; the others are credit-normal.
DEBIT_NORMAL = frozenset({Category.ASSET, Category.EXPENSE})


class Book(models.Model):
    """One union's ledger header: created with the standard chart (`chart_ensure`). Posting and
    closing lock this row, so a period cannot be closed while a posting into it is in flight."""

    union = models.OneToOneField(
        "orgs.Org", on_delete=models.PROTECT, related_name="funds_book", verbose_name=_("工会")
    )
    created_at = models.DateTimeField(_("建账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账簿")
        verbose_name_plural = _("账簿")

    def __str__(self) -> str:
        return f"{self.union_id}"


class Account(models.Model):
    """An account of one union's chart. Codes are the standard chart's (4 digits for the first
    level, 6 for a detail account under it) and never change once used."""

    union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="funds_accounts", verbose_name=_("工会")
    )
    code = models.CharField(_("科目编码"), max_length=16)
    name = models.CharField(_("科目名称"), max_length=64)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    parent_code = models.CharField(_("上级科目"), max_length=16, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("会计科目")
        verbose_name_plural = _("会计科目")
        constraints = [
            models.UniqueConstraint(fields=["union", "code"], name="funds_account_code_unique"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.category in DEBIT_NORMAL


class LedgerTransaction(models.Model):
    """A balanced set of lines posted on one date in one union's book. Insert-only (on
    PostgreSQL a trigger refuses UPDATE and DELETE; a constraint trigger checks at commit that
    its lines sum to zero)."""

    union = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("工会")
    )
    date = models.DateField(_("记账日期"))
    # year * 100 + month, e.g. 202603: what closing and monthly reports key on
    period = models.PositiveIntegerField(_("会计期间"))
    memo = models.CharField(_("摘要"), max_length=255)
    # which module and business event posted it, e.g. "funds.expense", "mutualaid.payout"
    source = models.CharField(_("来源"), max_length=64, blank=True)
    # the caller's key for the business event: the same key in the same union posts once
    idempotency_key = models.CharField(_("幂等键"), max_length=128)
    reversal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by",
        verbose_name=_("冲销的凭证"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("记账人"),
    )
    created_by_name = models.CharField(_("记账人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        constraints = [
            models.UniqueConstraint(
                fields=["union", "idempotency_key"], name="funds_tx_idempotency_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period__gte=190001) & models.Q(period__lte=299912),
                name="funds_tx_period_valid",
            ),
        ]
        indexes = [models.Index(fields=["union", "date", "id"], name="funds_tx_union_date")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.date} {self.memo}"


class LedgerLine(models.Model):
    """One debit (amount > 0) or credit (amount < 0) of a transaction. Insert-only."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="lines",
        verbose_name=_("凭证"),
    )
    # denormalised distribution key (SPEC §6): lines live on their union's shard
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", verbose_name=_("科目")
    )
    amount = MoneyField(_("金额"))

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="funds_line_nonzero"),
        ]
        indexes = [models.Index(fields=["account", "transaction"], name="funds_line_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"

    @property
    def debit(self):
        return self.amount if self.amount > 0 else None

    @property
    def credit(self):
        return -self.amount if self.amount < 0 else None


class PeriodBalance(models.Model):
    """Sum of one account's lines in one month, maintained by the posting service in the same
    database transaction as the lines (reports and roll-ups read these, not the lines)."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    # denormalised from the account (codes never change) so roll-ups group without a join
    account_code = models.CharField(max_length=16)
    period = models.PositiveIntegerField()
    debit = MoneyField(default=0)
    credit = MoneyField(default=0)

    class Meta:
        verbose_name = _("期间余额")
        verbose_name_plural = _("期间余额")
        constraints = [
            models.UniqueConstraint(
                fields=["union", "account", "period"], name="funds_balance_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(debit__gte=0) & models.Q(credit__gte=0),
                name="funds_balance_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "account_code", "union"], name="funds_bal_period_code"),
        ]

    def __str__(self) -> str:
        return f"{self.union_id} {self.account_code} {self.period}"


class ClosedPeriod(models.Model):
    """A closed month (month 1–12) or year (month 0) of one union's book: nothing may be posted
    dated inside it; corrections are reversing entries in an open period."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), help_text=_("0 表示整年"))
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("结账人"),
    )

    class Meta:
        verbose_name = _("已结账期间")
        verbose_name_plural = _("已结账期间")
        constraints = [
            models.UniqueConstraint(fields=["union", "year", "month"], name="funds_closed_unique"),
            models.CheckConstraint(
                condition=models.Q(month__gte=0) & models.Q(month__lte=12),
                name="funds_closed_month_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Never under a public URL: MEDIA_ROOT is not served; the scoped view streams it.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"funds/evidence/{instance.union_id}/{instance.sha256[:2]}/{instance.sha256}.{suffix}"


class Evidence(models.Model):
    """An evidence file (invoice scan, receipt) of a transaction. Served only through the
    scoped view `funds:evidence`."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="evidence",
        verbose_name=_("凭证"),
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("原始凭证")
        verbose_name_plural = _("原始凭证")

    def __str__(self) -> str:
        return self.original_name
