"""Forms of the employer remittance register (拨缴经费台账)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.funds.forms import DATE, MONEY_KW, KeyedForm
from gonghui.funds.services.remittance import employers_in
from gonghui.orgs.models import Employer, Org

MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})


class _EmployerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.uscc}）" if obj.uscc else obj.name


def _employer_field() -> _EmployerField:
    return _EmployerField(label=_("用人单位"), queryset=Employer.objects.none())


class DeclarationForm(forms.Form):
    employer = _employer_field()
    period = forms.CharField(label=_("月份"), max_length=7, widget=MONTH)
    payroll = forms.DecimalField(label=_("职工工资总额（元）"), max_digits=14, decimal_places=2,
                                 min_value=Decimal("0"))

    def __init__(self, *args: Any, union: Org, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "decl_%s")  # the page shows three forms: unique ids
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers_in(union).order_by("name")  # type: ignore[attr-defined]


class PaymentForm(KeyedForm):
    employer = _employer_field()
    period = forms.CharField(label=_("所属月份"), max_length=7, widget=MONTH)
    amount = forms.DecimalField(label=_("到账金额（元）"), **MONEY_KW)
    date = forms.DateField(label=_("到账日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=255, required=False)

    def __init__(self, *args: Any, union: Org, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "pay_%s")
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers_in(union).order_by("name")  # type: ignore[attr-defined]


class DeclarationImportForm(forms.Form):
    upload = forms.FileField(label=_("工资总额申报表（.xlsx：统一社会信用代码、月份、工资总额）"))
