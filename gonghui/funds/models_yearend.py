"""Year-end closing (年终结账) and bank reconciliation (银行对账) records. Imported by
`gonghui.funds.models` (one app, models split by subdomain to keep files readable)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import MoneyField


class YearClosing(models.Model):
    """One closing of a union's year: the closing entry (结转 income and spending into 本年结余,
    then into 累计结余) and, when an administrator reopened the year, the reversal of that entry
    and who did it why. At most one closing of a year is in force (not reopened)."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("工会"))
    year = models.PositiveSmallIntegerField(_("年度"))
    # None when the year had no income or spending to carry (nothing to post, still locked)
    transaction = models.OneToOneField(
        "funds.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("结账凭证"))
    surplus = MoneyField(_("本年结余"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  related_name="+", verbose_name=_("结账人"))
    closed_by_name = models.CharField(_("结账人"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    reopened_at = models.DateTimeField(_("反结账时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("反结账人"))
    reopen_reason = models.CharField(_("反结账原因"), max_length=255, blank=True)
    reversal = models.OneToOneField(
        "funds.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("冲销凭证"))

    class Meta:
        verbose_name = _("年终结账")
        verbose_name_plural = _("年终结账")
        constraints = [
            models.UniqueConstraint(fields=["union", "year"],
                                    condition=models.Q(reopened_at__isnull=True),
                                    name="funds_yearclosing_one_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.union_id} {self.year}"


class BankStatement(models.Model):
    """An imported bank statement (银行对账单) of a union's bank account (1002)."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("工会"))
    file_name = models.CharField(_("文件名"), max_length=255)
    opening_balance = MoneyField(_("对账单期初余额"), default=0)
    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("截止日期"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("银行对账单")
        verbose_name_plural = _("银行对账单")

    def __str__(self) -> str:
        return f"{self.file_name} {self.date_from}–{self.date_to}"


class BankStatementLine(models.Model):
    """One line of a bank statement: `amount` > 0 money received by the bank (存入), < 0 paid
    out (支出), as the ledger's bank lines are signed."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    row_no = models.PositiveIntegerField(_("行号"))
    date = models.DateField(_("交易日期"))
    amount = MoneyField(_("金额"))
    reference = models.CharField(_("凭证号/流水号"), max_length=100, blank=True)
    description = models.CharField(_("摘要"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("对账单明细")
        verbose_name_plural = _("对账单明细")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="funds_stmtline_nonzero"),
        ]
        indexes = [models.Index(fields=["union", "date"], name="funds_stmtline_union_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class MatchKind(models.TextChoices):
    AUTO = "auto", _("自动")
    MANUAL = "manual", _("手工")


class BankMatch(models.Model):
    """A statement line matched to a ledger bank line (each side at most once). Undoing a match
    deletes this row; the ledger is not touched."""

    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    statement_line = models.OneToOneField(BankStatementLine, on_delete=models.CASCADE,
                                          related_name="match")
    ledger_line = models.OneToOneField("funds.LedgerLine", on_delete=models.PROTECT,
                                       related_name="bank_match")
    kind = models.CharField(_("方式"), max_length=8, choices=MatchKind.choices)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    matched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对账匹配")
        verbose_name_plural = _("对账匹配")

    def __str__(self) -> str:
        return f"{self.statement_line_id}↔{self.ledger_line_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("出错")


class YearCloseRun(models.Model):
    """Closing a year for a whole subtree, union by union in the background: the progress and
    the unions that could not close (with why)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("范围"))
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(_("本次结账"), default=0)
    already = models.PositiveIntegerField(_("此前已结账"), default=0)
    # [{"code": …, "name": …, "reasons": [...]}] of the unions that cannot close
    failures = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    created_by_name = models.CharField(_("操作人"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("批量年终结账")
        verbose_name_plural = _("批量年终结账")

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total


class LevelSplitRule(models.Model):
    """How the passed-up part of the payroll allocation (拨缴经费) is split across the levels
    above a grassroots union, set by a federation for its subtree and one year: `shares` maps
    a level (street, district, city, province, national) to its share of the whole allocation
    (e.g. {"street": "0.05", "district": "0.15", "city": "0.15", "national": "0.05"}); they sum
    exactly to the passed-up part (1 − the kept ratio). Rounding residue goes to
    `residue_level`, so the parts always add up to the amount paid."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("制定组织"))
    year = models.PositiveSmallIntegerField(_("年度"))
    shares = models.JSONField(_("各级分成比例"))
    residue_level = models.CharField(_("尾差归属"), max_length=16)
    note = models.CharField(_("依据"), max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("拨缴经费分级比例")
        verbose_name_plural = _("拨缴经费分级比例")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="funds_levelsplit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"
