from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import clock
from gonghui.funds.chart import CHART_BY_CODE, HEADER_CODES, INCOME_CODES, SPENDING_CATEGORIES
from gonghui.funds.models import LimitAction, LimitKind, Severity, VoucherScheme
from gonghui.funds.services import OpeningRow
from gonghui.funds.services.entries import BUDGET_CODES

MONEY_KW: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAY_ACCOUNTS = [("1002", _("银行存款")), ("1001", _("库存现金"))]


def _new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    """A form carrying the idempotency key of the business event it records: submitting the
    same form twice (double click, retry after a timeout) posts once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", "form:" + _new_key())
        kwargs["initial"].setdefault("date", clock.today())
        super().__init__(*args, **kwargs)


class IncomeForm(KeyedForm):
    date = forms.DateField(label=_("收款日期"), widget=DATE)
    account_code = forms.ChoiceField(
        label=_("收入类别"),
        choices=[(c, f"{c} {CHART_BY_CODE[c][0]}") for c in INCOME_CODES if c != "4201"])
    into = forms.ChoiceField(label=_("收款账户"), choices=PAY_ACCOUNTS)
    amount = forms.DecimalField(label=_("金额（元）"), **MONEY_KW)
    memo = forms.CharField(label=_("摘要"), max_length=255)
    evidence = forms.FileField(label=_("原始凭证（可选）"), required=False)


def spending_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (f"{top} {CHART_BY_CODE[top][0]}",
         [(code, f"{code} {CHART_BY_CODE[code][0]}") for code in codes])
        for top, codes in SPENDING_CATEGORIES.items()
    ]


class ExpenseForm(KeyedForm):
    date = forms.DateField(label=_("付款日期"), widget=DATE)
    account_code = forms.ChoiceField(label=_("支出类别"), choices=spending_choices)
    paid_from = forms.ChoiceField(label=_("付款账户"), choices=PAY_ACCOUNTS)
    amount = forms.DecimalField(label=_("金额（元）"), **MONEY_KW)
    memo = forms.CharField(label=_("摘要"), max_length=255,
                           help_text=_("例如：2026 年春节慰问品（120 人）"))
    evidence = forms.FileField(label=_("发票或原始凭证"),
                               help_text=_("PDF、PNG、JPEG 或 WebP，不超过 10 MB"))
    confirm_warnings = forms.BooleanField(label=_("已知悉超出提醒性限额，仍然记账"),
                                          required=False)


class AllocationForm(KeyedForm):
    date = forms.DateField(label=_("到账日期"), widget=DATE)
    employer_name = forms.CharField(label=_("缴费单位"), max_length=200)
    payroll = forms.DecimalField(label=_("当月工资总额（元）"), **MONEY_KW)
    evidence = forms.FileField(label=_("原始凭证（可选）"), required=False)


class RemitForm(KeyedForm):
    date = forms.DateField(label=_("上解日期"), widget=DATE)
    amount = forms.DecimalField(label=_("上解金额（元）"), **MONEY_KW)


class ReverseForm(forms.Form):
    date = forms.DateField(label=_("冲销日期"), widget=DATE)
    memo = forms.CharField(label=_("冲销原因"), max_length=200)


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("补充原始凭证"),
                               help_text=_("PDF、PNG、JPEG 或 WebP，不超过 10 MB"))


class CloseForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    month = forms.TypedChoiceField(
        label=_("月份"), coerce=int,
        choices=[(0, _("整年"))] + [(m, _("{m} 月").format(m=m)) for m in range(1, 13)])


class BudgetForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in BUDGET_CODES:
            self.fields[f"b_{code}"] = forms.DecimalField(
                label=f"{code} {CHART_BY_CODE[code][0]}", required=False, max_digits=14,
                decimal_places=2, min_value=Decimal("0"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and all(value is None for value in data.values()):
            raise forms.ValidationError(_("请至少填写一个科目的预算金额。"), code="empty")
        return data

    def amounts(self) -> dict[str, Decimal]:
        return {name[2:]: value for name, value in self.cleaned_data.items()
                if value is not None}


def limit_account_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, (name, cat, _p) in CHART_BY_CODE.items()
            if cat == "expense"]


class LimitForm(forms.Form):
    name = forms.CharField(label=_("规则名称"), max_length=100,
                           help_text=_("例如：节日慰问品每人每年不超过 500 元"))
    account_code = forms.ChoiceField(label=_("适用科目"), choices=limit_account_choices)
    kind = forms.ChoiceField(label=_("限额方式"), choices=LimitKind.choices)
    amount = forms.DecimalField(label=_("限额（元）"), **MONEY_KW)
    action = forms.ChoiceField(label=_("超限处理"), choices=LimitAction.choices)
    basis = forms.CharField(label=_("依据文件"), max_length=255, required=False)


class RatioForm(forms.Form):
    kept_percent = forms.DecimalField(label=_("基层留成比例（%）"), max_digits=6,
                                      decimal_places=2, min_value=Decimal("0"),
                                      max_value=Decimal("100"))
    note = forms.CharField(label=_("依据"), max_length=255, required=False)


SPLIT_LEVELS = ("national", "province", "city", "district", "street")
PERCENT_KW: dict[str, Any] = {"max_digits": 6, "decimal_places": 2, "min_value": Decimal("0"),
                              "max_value": Decimal("100"), "required": False}


class LevelSplitForm(forms.Form):
    """分级上解: each level's share of the whole allocation, in percent (two decimals = the
    service's four-decimal ratio); blank means no share. The shares must add up to the part
    passed up (100 % − the kept ratio): the service says so when they do not."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099)
    national = forms.DecimalField(label=_("全国总工会（%）"), **PERCENT_KW)
    province = forms.DecimalField(label=_("省级工会（%）"), **PERCENT_KW)
    city = forms.DecimalField(label=_("市级工会（%）"), **PERCENT_KW)
    district = forms.DecimalField(label=_("区县/产业工会（%）"), **PERCENT_KW)
    street = forms.DecimalField(label=_("街道/乡镇/园区工会（%）"), **PERCENT_KW)
    residue_level = forms.ChoiceField(
        label=_("分配尾差（分）计入"), help_text=_("按比例四舍五入到分后剩余的尾差记入这一级。"),
        choices=[("national", _("全国总工会")), ("province", _("省级工会")),
                 ("city", _("市级工会")), ("district", _("区县/产业工会")),
                 ("street", _("街道/乡镇/园区工会"))])
    note = forms.CharField(label=_("依据"), max_length=255, required=False)

    def shares(self) -> dict[str, Decimal]:
        """The ratios (of 1) the service takes, from the percent fields that are filled in."""
        return {level: self.cleaned_data[level] / 100 for level in SPLIT_LEVELS
                if self.cleaned_data.get(level)}


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=_("性质"), choices=Severity.choices)
    text = forms.CharField(label=_("审计意见"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    response = forms.CharField(label=_("答复"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class VoucherSchemeForm(forms.Form):
    voucher_scheme = forms.ChoiceField(label=_("凭证字"), choices=VoucherScheme.choices)


def opening_account_choices() -> list[tuple[str, str, str]]:
    """(code, name, category) of the postable balance-sheet accounts."""
    return [(code, name, cat) for code, (name, cat, _p) in CHART_BY_CODE.items()
            if cat in ("asset", "liability", "net_assets") and code not in HEADER_CODES]


class OpeningForm(forms.Form):
    """One debit and one credit field per balance-sheet account (`d_<code>`, `c_<code>`)."""

    date = forms.DateField(label=_("建账日期"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name, _cat in opening_account_choices():
            for side, label in (("d", _("借方余额")), ("c", _("贷方余额"))):
                self.fields[f"{side}_{code}"] = forms.DecimalField(
                    required=False, max_digits=14, decimal_places=2, min_value=Decimal("0"),
                    widget=forms.NumberInput(attrs={"aria-label": f"{code} {name} {label}",
                                                    "step": "0.01"}))

    def accounts(self) -> list[dict[str, Any]]:
        return [{"code": code, "name": name, "category": cat, "d": self[f"d_{code}"],
                 "c": self[f"c_{code}"]} for code, name, cat in opening_account_choices()]

    def rows(self) -> list[Any]:

        data = self.cleaned_data
        return [OpeningRow(code, data.get(f"d_{code}") or Decimal("0"),
                           data.get(f"c_{code}") or Decimal("0"))
                for code, _n, _c in opening_account_choices()
                if data.get(f"d_{code}") or data.get(f"c_{code}")]


class OpeningImportForm(forms.Form):
    date = forms.DateField(label=_("建账日期"), widget=DATE)
    upload = forms.FileField(label=_("期初余额表（.xlsx）"),
                             help_text=_("表头：科目编码、科目名称、借方余额、贷方余额"))


class YearCloseForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    subtree = forms.BooleanField(label=_("含全部下级工会（后台逐个结账）"), required=False)


class YearReopenForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    reason = forms.CharField(label=_("反结账原因"), max_length=255)


class StatementForm(forms.Form):
    upload = forms.FileField(label=_("银行对账单（.csv 或 .xlsx）"))
    opening_balance = forms.DecimalField(label=_("对账单期初余额"), max_digits=14,
                                         decimal_places=2, initial=Decimal("0"))
    col_date = forms.CharField(label=_("日期列名"), max_length=50, required=False,
                               help_text=_("留空则自动识别常见表头"))
    col_amount = forms.CharField(label=_("金额列名（收入为正）"), max_length=50, required=False)
    col_income = forms.CharField(label=_("收入列名"), max_length=50, required=False)
    col_expense = forms.CharField(label=_("支出列名"), max_length=50, required=False)
    col_reference = forms.CharField(label=_("流水号列名"), max_length=50, required=False)
    col_description = forms.CharField(label=_("摘要列名"), max_length=50, required=False)

    def mapping(self) -> dict[str, str] | None:
        mapping = {k[4:]: v.strip() for k, v in self.cleaned_data.items()
                   if k.startswith("col_") and v and v.strip()}
        return mapping or None


class ManualMatchForm(forms.Form):
    statement_line = forms.IntegerField(min_value=1)
    ledger_line = forms.IntegerField(min_value=1)
