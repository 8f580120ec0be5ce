from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import clock
from gonghui.funds.chart import CHART_BY_CODE, INCOME_CODES, SPENDING_CATEGORIES
from gonghui.funds.models import LimitAction, LimitKind, Severity
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
