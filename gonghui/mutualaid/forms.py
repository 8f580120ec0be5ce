from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import clock
from gonghui.mutualaid.rules import PlanKind

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple
                          | forms.HiddenInput | forms.MultipleHiddenInput):
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class RulesForm(Styled):
    contribution = forms.DecimalField(label=_("每人缴费（元）"), **MONEY)
    waiting_days = forms.IntegerField(label=_("等待期（天）"), min_value=0, max_value=3650,
                                      initial=90)
    deductible = forms.DecimalField(label=_("免赔额（元）"), initial=0, **MONEY)
    deductible_days = forms.IntegerField(label=_("免赔天数"), min_value=0, max_value=365,
                                         initial=0)
    ratio_percent = forms.DecimalField(label=_("给付比例（%）"), min_value=Decimal("0"),
                                       max_value=Decimal("100"), decimal_places=2,
                                       initial=0)
    per_day = forms.DecimalField(label=_("每日津贴（元）"), initial=0, **MONEY)
    lump_sum = forms.DecimalField(label=_("一次性给付金额（元）"), initial=0, **MONEY)
    per_claim_cap = forms.DecimalField(label=_("单次给付上限（元，空为不限）"), required=False,
                                       **MONEY)
    per_year_cap = forms.DecimalField(label=_("年度给付上限（元，空为不限）"), required=False,
                                      **MONEY)
    auto_approve_limit = forms.DecimalField(
        label=_("自动核准上限（元，超过须人工审核；空为全部自动）"), required=False, **MONEY)

    def rules(self) -> dict:
        data = dict(self.cleaned_data)
        data["ratio"] = (data.pop("ratio_percent") or Decimal(0)) / 100
        for key in ("per_claim_cap", "per_year_cap", "auto_approve_limit"):
            if data.get(key) == 0:
                data[key] = None
        return {k: data[k] for k in ("contribution", "waiting_days", "deductible",
                                     "deductible_days", "ratio", "per_day", "lump_sum",
                                     "per_claim_cap", "per_year_cap", "auto_approve_limit")}


class PlanForm(RulesForm):
    code = forms.CharField(label=_("计划代码"), max_length=32)
    name = forms.CharField(label=_("计划名称"), max_length=100)
    kind = forms.ChoiceField(label=_("保障类型"), choices=PlanKind.choices)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))
    plan_year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    year_starts_on = forms.DateField(label=_("年度起始日"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    year_ends_on = forms.DateField(label=_("年度终止日"),
                                   widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["code", "name", "kind", "description", "plan_year", "year_starts_on",
                   "year_ends_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_starts_on"), data.get("year_ends_on")
        if start and end and end <= start:
            self.add_error("year_ends_on", _("年度终止日须晚于起始日。"))
        return data


class VersionForm(RulesForm):
    plan_year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    effective_on = forms.DateField(label=_("生效日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("修订本年度规则时填写；新年度自年度首日生效"))
    year_starts_on = forms.DateField(label=_("年度起始日（新年度）"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    year_ends_on = forms.DateField(label=_("年度终止日（新年度）"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("修订说明"), max_length=500)

    field_order = ["plan_year", "effective_on", "year_starts_on", "year_ends_on", "note"]


class EnrolForm(Styled):
    plan = forms.IntegerField(widget=forms.HiddenInput)
    plan_year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    enrolled_on = forms.DateField(label=_("参保日期"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("参保范围"), choices=[
        ("all", _("本工会全部在册会员")), ("chosen", _("仅勾选的会员"))], initial="all")
    person = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])

    def __init__(self, *args, person_choices: Sequence[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = list(person_choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "chosen" and not data.get("person"):
            raise forms.ValidationError(_("请至少勾选一名会员，或选择“本工会全部在册会员”。"))
        return data


class UploadForm(Styled):
    file = forms.FileField(label=_("CSV 文件"))


class SettlementUploadForm(UploadForm):
    """The page's select names the importing org (its pk); the service decides on it."""

    org = forms.CharField(label=_("导入单位"), max_length=32)


class ReasonForm(Styled):
    reason = forms.CharField(label=_("原因"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AccountForm(Styled):
    holder_name = forms.CharField(label=_("户名"), max_length=64)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    account_number = forms.CharField(label=_("银行账号"), max_length=40)


class RequeueForm(Styled):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    change_account = forms.BooleanField(label=_("更换收款账户"), required=False)
    holder_name = forms.CharField(label=_("户名"), max_length=64, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    account_number = forms.CharField(label=_("银行账号"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("change_account"):
            for key in ("holder_name", "bank_name", "account_number"):
                if not data.get(key):
                    self.add_error(key, _("更换收款账户时必须填写。"))
        return data

    def account(self) -> dict | None:
        if not self.cleaned_data.get("change_account"):
            return None
        return {k: self.cleaned_data[k] for k in ("holder_name", "bank_name",
                                                  "account_number")}


class RevealForm(Styled):
    """Why the full account number is read (PIPL): written to the sensitive-read log."""

    purpose = forms.CharField(label=_("查看用途"), max_length=255,
                              widget=forms.TextInput(attrs={
                                  "placeholder": _("例如：核对回盘失败原因")}))


class BatchForm(Styled):
    # the paying org (pk) from the page's select; the service decides on it
    org = forms.CharField(label=_("付款单位"), max_length=32)
    plan = forms.ChoiceField(label=_("计划"), required=False)
    note = forms.CharField(label=_("备注"), max_length=255, required=False)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan"]).choices = [("", _("全部计划"))] + [
            (str(p.pk), p.name) for p in plans]


def default_year() -> int:
    return clock.today().year


def year_dates(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
