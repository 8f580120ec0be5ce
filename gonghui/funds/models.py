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
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from gonghui.core.colocated import same_union
from gonghui.core.money import MoneyField
from gonghui.core.workflow import HistoryBase


class Category(models.TextChoices):
    """The five classes of the union accounting system (工会会计制度)."""

    ASSET = "asset", _("资产")
    LIABILITY = "liability", _("负债")
    NET_ASSETS = "net_assets", _("净资产")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


# Accounts whose balance is normally on the debit side; the others are credit-normal.
DEBIT_NORMAL = frozenset({Category.ASSET, Category.EXPENSE})


class VoucherScheme(models.TextChoices):
    """How a union numbers its vouchers (凭证字): one sequence (记字) or three (收/付/转)."""

    SINGLE = "single", _("统一编号（记字）")
    SPLIT = "split", _("收、付、转分别编号")


class VoucherType(models.TextChoices):
    GENERAL = "general", _("记")
    RECEIPT = "receipt", _("收")
    PAYMENT = "payment", _("付")
    TRANSFER = "transfer", _("转")


# The 13th "month" of a year: the year-end closing entry (结账分录) sits after December, so the
# year's income statement (months 1–12) still shows the year's income and spending while every
# later period starts from the carried-forward net assets.
CLOSING_MONTH = 13


class Book(models.Model):
    """One union's ledger header: created with the standard chart (`chart_ensure`). Posting and
    closing lock this row, so a period cannot be closed while a posting into it is in flight."""

    union = models.OneToOneField(
        "orgs.Org", on_delete=models.PROTECT, related_name="funds_book", verbose_name=_("工会")
    )
    created_at = models.DateTimeField(_("建账时间"), auto_now_add=True)
    voucher_scheme = models.CharField(_("凭证字"), max_length=8, choices=VoucherScheme.choices,
                                      default=VoucherScheme.SINGLE)

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
    # year * 100 + month, e.g. 202603: what closing and monthly reports key on; month 13 is the
    # year-end closing entry's (CLOSING_MONTH)
    period = models.PositiveIntegerField(_("会计期间"))
    # 凭证号: gap-free per (union, period, voucher type), assigned under the Book lock
    voucher_type = models.CharField(_("凭证字"), max_length=8, choices=VoucherType.choices,
                                    blank=True)
    voucher_no = models.PositiveIntegerField(_("凭证号"), null=True, blank=True)
    memo = models.CharField(_("摘要"), max_length=255)
    # which module and business event posted it, e.g. "funds.expense", "mutualaid.payout"
    source = models.CharField(_("来源"), max_length=64, blank=True)
    # the business record behind a posting another module made (an aid grant, a mutual-aid
    # payout): what it is and the page that shows it, so a voucher without an attached file is
    # still supported by the record it came from (issue 12 item 12)
    source_label = models.CharField(_("原始业务"), max_length=255, blank=True)
    source_url = models.CharField(_("原始业务链接"), max_length=255, blank=True)
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

    # set by the posting service on the instance it returns: posted now, or found by its key
    was_created: bool = False

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        constraints = [
            models.UniqueConstraint(
                fields=["union", "idempotency_key"], name="funds_tx_idempotency_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period__gte=190001) & models.Q(period__lte=299913),
                name="funds_tx_period_valid",
            ),
            models.UniqueConstraint(
                fields=["union", "period", "voucher_type", "voucher_no"],
                name="funds_tx_voucher_no_unique",
            ),
        ]
        indexes = [models.Index(fields=["union", "date", "id"], name="funds_tx_union_date")]

    def __str__(self) -> str:
        return f"{self.voucher_label or '#' + str(self.pk)} {self.date} {self.memo}"

    @property
    def voucher_label(self) -> str:
        """e.g. "2026-03 收-0007"; the closing period shows as "2026-结账"."""
        if not self.voucher_no:
            return ""
        year, month = divmod(self.period, 100)
        when = f"{year}-{month:02d}" if month != CLOSING_MONTH else f"{year}-{_('结账')}"
        return f"{when} {VoucherType(self.voucher_type).label}-{self.voucher_no:04d}"

    def lines_with_accounts(self) -> models.QuerySet[LedgerLine]:
        """The transaction's lines with their accounts, read on its union's shard: the union
        is in the filter and in the account's join (on Citus a co-located join; an account of
        a line is always its union's — docs/scale.md)."""
        return (LedgerLine.objects.filter(same_union("account"), transaction=self,
                                          union=self.union_id)
                .select_related("account"))


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


# --- rules set by a federation for its subtree -----------------------------------------------


class AllocationRule(models.Model):
    """The share of the payroll allocation (拨缴经费, 2% of payroll) a union keeps; the rest is
    owed to the levels above. Set on an org, it applies to its whole subtree; the rule on the
    nearest ancestor wins, and without any rule a union keeps 60%."""

    org = models.OneToOneField(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用组织")
    )
    kept_ratio = models.DecimalField(_("基层留成比例"), max_digits=5, decimal_places=4)
    note = models.CharField(_("依据"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("拨缴经费分成规则")
        verbose_name_plural = _("拨缴经费分成规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kept_ratio__gte=0) & models.Q(kept_ratio__lte=1),
                name="funds_allocation_ratio_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.kept_ratio}"


class LimitKind(models.TextChoices):
    PER_MEMBER_YEAR = "per_member_year", _("每名会员每年")
    PER_ENTRY = "per_entry", _("每笔（每次活动）")
    PER_YEAR = "per_year", _("每年合计")


class LimitAction(models.TextChoices):
    WARN = "warn", _("提醒")
    BLOCK = "block", _("禁止")


# A limit is switched off, never back on (a new limit is a new rule with its own basis).
LIMIT_TRANSITIONS: dict[bool, set[bool]] = {True: {False}}


class PolicyLimit(models.Model):
    """A spending limit a federation sets for every union of its subtree, on an account and its
    details (e.g. 510101 节日慰问: 500 元 per member per year, block)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定组织")
    )
    name = models.CharField(_("规则名称"), max_length=100)
    account_code = models.CharField(_("适用科目"), max_length=16)
    kind = models.CharField(_("限额方式"), max_length=20, choices=LimitKind.choices)
    amount = MoneyField(_("限额"))
    action = models.CharField(_("超限处理"), max_length=8, choices=LimitAction.choices)
    is_active = models.BooleanField(_("生效"), default=True)
    basis = models.CharField(_("依据文件"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("经费使用限额")
        verbose_name_plural = _("经费使用限额")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funds_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Budget(models.Model):
    """A union's budget for one year and one first-level income or spending account."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    account_code = models.CharField(_("科目"), max_length=16)
    amount = MoneyField(_("预算金额"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        constraints = [
            models.UniqueConstraint(fields=["union", "year", "account_code"],
                                    name="funds_budget_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="funds_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.union_id} {self.year} {self.account_code}"


class PayrollAllocation(models.Model):
    """One employer payment of the payroll allocation (拨缴经费): 2% of the payroll, split into
    the part this union keeps and the part owed to the levels above (posted to 应付上级经费)."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField(_("所属月份"))
    employer_name = models.CharField(_("缴费单位"), max_length=200)
    payroll = MoneyField(_("工资总额"))
    total = MoneyField(_("拨缴经费"))
    kept = MoneyField(_("本级留成"))
    passed_up = MoneyField(_("上解上级"))
    kept_ratio = models.DecimalField(_("留成比例"), max_digits=5, decimal_places=4)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拨缴经费")
        verbose_name_plural = _("拨缴经费")
        constraints = [
            # ROUND(…, 2): exact numerics on PostgreSQL either way; SQLite adds the two parts
            # as floats (148.15 + 98.76 = 246.91000000000003), which without the rounding
            # refused a correct split of ¥12,345.67 on the embedded default
            models.CheckConstraint(
                condition=models.Q(
                    total=Round(models.F("kept") + models.F("passed_up"), 2)),
                name="funds_allocation_split_sums",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_name} {self.period}"


# --- audit (经审) -----------------------------------------------------------------------------


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已关闭")


FINDING_TRANSITIONS: dict[str, set[str]] = {
    FindingStatus.OPEN: {FindingStatus.ANSWERED, FindingStatus.CLOSED},
    FindingStatus.ANSWERED: {FindingStatus.CLOSED, FindingStatus.OPEN},
}


class Severity(models.TextChoices):
    NOTE = "note", _("提示")
    ISSUE = "issue", _("问题")
    SERIOUS = "serious", _("严重问题")


class Finding(models.Model):
    """An auditor's (经审委员) finding on a union's funds, optionally on one transaction. The
    treasurer answers; the auditor closes or reopens. Nothing in the ledger changes."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("工会"))
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True,
        related_name="findings", verbose_name=_("凭证"),
    )
    severity = models.CharField(_("性质"), max_length=8, choices=Severity.choices)
    text = models.TextField(_("审计意见"), max_length=2000)
    status = models.CharField(_("状态"), max_length=10, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN)
    response = models.TextField(_("答复"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("经审委员"),
    )
    created_at = models.DateTimeField(_("提出时间"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("审计意见")
        verbose_name_plural = _("审计意见")
        indexes = [models.Index(fields=["union", "status"], name="funds_finding_union_status")]

    history_model = "funds.FindingEvent"

    def __str__(self) -> str:
        return self.text[:40]


class FindingEvent(HistoryBase):
    """History of a finding (`core.workflow.HistoryBase`): who moved it from which status to
    which, when, and the text that came with it (the finding itself, the answer, the reason for
    sending it back). `reason` keeps the whole text (up to 2000 characters, like the finding)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="events")
    # the finding's union: distribution column (docs/scale.md)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("原因/说明"), blank=True, max_length=2000)

    history_subject_field = "finding"

    class Meta(HistoryBase.Meta):
        verbose_name = _("审计意见记录")
        verbose_name_plural = _("审计意见记录")

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


# --- members' dues (会费) ----------------------------------------------------------------------


class DuesList(models.Model):
    """A union's dues list for one month, generated from its roster of active members."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("工会"))
    period = models.PositiveIntegerField(_("月份"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会费名单")
        verbose_name_plural = _("会费名单")
        constraints = [
            models.UniqueConstraint(fields=["union", "period"], name="funds_dueslist_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.union_id} {self.period}"


class DuesEntry(models.Model):
    """One member's dues for the month: 0.5% of the monthly wage (SPEC §2.5), to the fen.
    Marking it paid posts one income transaction (key `dues:<id>:<attempt>`)."""

    dues_list = models.ForeignKey(DuesList, on_delete=models.PROTECT, related_name="entries")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT,
                                   related_name="+")
    person_name = models.CharField(_("姓名"), max_length=64)
    wage = MoneyField(_("月工资"), null=True, blank=True)
    amount = MoneyField(_("应缴会费"))
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    # bumped when a payment is undone (reversed), so paying again is a new business event
    attempt = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("会费明细")
        verbose_name_plural = _("会费明细")
        constraints = [
            models.UniqueConstraint(fields=["dues_list", "membership", "union"],
                                    name="funds_duesentry_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="funds_duesentry_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(paid_on__isnull=True) | models.Q(transaction__isnull=False),
                name="funds_duesentry_paid_has_tx",
            ),
        ]
        indexes = [models.Index(fields=["union", "dues_list"], name="funds_dues_union_list")]

    def __str__(self) -> str:
        return f"{self.person_name} {self.amount}"


# The remittance register, year-end closing and bank reconciliation live in their own modules.
from gonghui.funds.models_remittance import (  # noqa: E402, F401
    EmployerPayment,
    PayrollDeclaration,
)
from gonghui.funds.models_yearend import (  # noqa: E402, F401
    BankMatch,
    BankStatement,
    BankStatementLine,
    LevelSplitRule,
    MatchKind,
    RunStatus,
    YearCloseRun,
    YearClosing,
)
