"""Forms of the aid pages: parse and give clear Chinese errors; rules live in the services."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.aid.models import (
    AssistanceKind,
    Cause,
    DocumentKind,
    Education,
    EligibilityRule,
    Health,
    Housing,
    IncomeKind,
    Need,
    ProgrammeKind,
    Relation,
    Work,
)
from gonghui.aid.rules import Category
from gonghui.core import clock
from gonghui.core.cells import CellError, parse_id_number

_MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
_MSG = {"required": _("此项必填。"), "invalid": _("格式不正确。"),
        "max_decimal_places": _("金额最多两位小数。")}


def _date(label, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": _("请输入日期，如 2025-07-01。"), **_MSG})


class Bootstrap:
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class IdNumberField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return parse_id_number(value, today=clock.today()).number
        except CellError as exc:
            raise forms.ValidationError(exc.message) from exc


class FileNewForm(Bootstrap, forms.Form):
    id_number = IdNumberField(label=_("申请人身份证号码"), max_length=32,
                              error_messages=_MSG,
                              help_text=_("申请人须为本单位（或下级单位）的在册会员。"))
    address = forms.CharField(label=_("家庭住址"), max_length=255, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    work = forms.ChoiceField(label=_("申请人就业状况"), choices=Work.choices,
                             initial=Work.EMPLOYED)


class FileEditForm(Bootstrap, forms.Form):
    causes = forms.MultipleChoiceField(label=_("致困原因"), choices=Cause.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("请至少选择一项致困原因。")})
    sudden = forms.BooleanField(label=_("因突发事件（意外事故、重大疾病、灾害）致困"),
                                required=False)
    sudden_on = _date(_("突发事件日期"))
    sudden_description = forms.CharField(label=_("突发事件说明"), max_length=500, required=False)
    housing = forms.ChoiceField(label=_("住房情况"), choices=[("", "—"), *Housing.choices],
                                required=False)
    housing_area = forms.DecimalField(label=_("住房面积（平方米）"), max_digits=7, decimal_places=2,
                                      min_value=0, required=False, error_messages=_MSG)
    housing_note = forms.CharField(label=_("住房说明"), max_length=500, required=False)
    needs = forms.MultipleChoiceField(label=_("帮扶需求"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    needs_note = forms.CharField(label=_("需求说明"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("家庭住址"), max_length=255, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sudden") and not data.get("sudden_description"):
            self.add_error("sudden_description", _("请说明突发事件。"))
        return data


class MemberForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64, error_messages=_MSG)
    relation = forms.ChoiceField(label=_("与申请人关系"),
                                 choices=[c for c in Relation.choices if c[0] != Relation.SELF])
    id_number = IdNumberField(label=_("身份证号码"), max_length=32, error_messages=_MSG)
    health = forms.ChoiceField(label=_("健康状况"), choices=Health.choices)
    health_note = forms.CharField(label=_("病情/残疾说明"), max_length=255, required=False)
    work = forms.ChoiceField(label=_("就业状况"), choices=Work.choices)
    education = forms.ChoiceField(label=_("在读学段"), choices=Education.choices, required=False)
    university_entry_year = forms.IntegerField(
        label=_("考入大学年份"), required=False, min_value=1990, max_value=2100,
        help_text=_("当年考入大学的子女可列入金秋助学。"),
        error_messages={"invalid": _("请输入四位年份。"), "min_value": _("年份不正确。"),
                        "max_value": _("年份不正确。")})
    note = forms.CharField(label=_("备注"), max_length=255, required=False)

    def __init__(self, *args, editing_self: bool = False, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["id_number"]
        if editing_self:
            del self.fields["relation"]


class IncomeForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("收入类型"), choices=IncomeKind.choices)
    monthly_amount = forms.DecimalField(label=_("月均金额（元）"), error_messages=_MSG,
                                        help_text=_("近 12 个月的月平均数。"), **_MONEY)
    member = forms.ChoiceField(label=_("成员"), required=False)
    description = forms.CharField(label=_("说明"), max_length=255, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", _("全户"))] + [(str(m.pk), m.name) for m in members]


class DocumentForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    content = forms.FileField(label=_("文件（PDF、PNG、JPEG，10 MB 以内）"),
                              error_messages={"required": _("请选择文件。")})
    description = forms.CharField(label=_("说明"), max_length=255, required=False)


class CategoryForm(Bootstrap, forms.Form):
    category = forms.ChoiceField(label=_("困难类别"), choices=Category.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择困难类别。")})
    note = forms.CharField(label=_("说明（与系统建议不一致时必填）"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(CategoryForm):
    evidence = forms.CharField(label=_("复核依据（收入证明、走访情况）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(Bootstrap, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写理由。")})


class VisitForm(Bootstrap, forms.Form):
    visited_on = _date(_("走访日期"), required=True)
    note = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("请填写走访情况。")})


class ExitForm(Bootstrap, forms.Form):
    evidence = forms.CharField(
        label=_("脱困依据"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如：就业单位、工资收入证明、核查情况。"),
        error_messages={"required": _("请填写脱困依据。")})


class FollowupForm(Bootstrap, forms.Form):
    household_size = forms.IntegerField(label=_("家庭人口"), min_value=1, max_value=30,
                                        error_messages={**_MSG, "min_value": _("至少 1 人。")})
    monthly_income = forms.DecimalField(label=_("家庭月收入（元）"), error_messages=_MSG,
                                        **_MONEY)
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写回访情况。")})


class AssistanceForm(Bootstrap, forms.Form):
    beneficiary = forms.ChoiceField(label=_("所属项目"), required=False)
    kind = forms.ChoiceField(label=_("帮扶方式"), choices=AssistanceKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, error_messages=_MSG,
                                help_text=_("现金、助学金、医疗救助须填写；就业推荐、法律援助不填。"),
                                **_MONEY)
    given_on = _date(_("帮扶日期"), required=True)
    description = forms.CharField(label=_("内容"), max_length=255, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, beneficiaries=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["beneficiary"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", _("日常帮扶（不属于项目）"))] + [
            (str(b.pk), f"{b.programme.name}（{b.amount} 元）") for b in beneficiaries]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("given_on", clock.today())


class ProgrammeForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100, error_messages=_MSG)
    kind = forms.ChoiceField(label=_("项目类型"), choices=ProgrammeKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              error_messages={"invalid": _("请输入四位年份。"), **_MSG})
    budget = forms.DecimalField(label=_("预算（元）"), error_messages=_MSG, **_MONEY)
    amount_per_household = forms.DecimalField(label=_("每户标准（元）"), error_messages=_MSG,
                                              **_MONEY)
    assistance_kind = forms.ChoiceField(label=_("帮扶方式"), choices=AssistanceKind.choices)
    rule = forms.ChoiceField(label=_("对象条件"), choices=EligibilityRule.choices)
    categories = forms.MultipleChoiceField(label=_("困难类别"), choices=Category.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("说明"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class StandardForm(Bootstrap, forms.Form):
    org = forms.CharField(label=_("地区（组织代码或名称）"), max_length=200, error_messages=_MSG)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              error_messages={"invalid": _("请输入四位年份。"), **_MSG})
    monthly_line = forms.DecimalField(label=_("低保标准（元/人/月）"), error_messages=_MSG,
                                      **_MONEY)
    effective_from = _date(_("执行日期"))
    source = forms.CharField(label=_("文件依据"), max_length=200, required=False)


class PolicyForm(Bootstrap, forms.Form):
    org = forms.CharField(label=_("适用组织（组织代码）"), max_length=40, error_messages=_MSG)
    relative_multiple = forms.DecimalField(label=_("相对困难上限（低保标准的倍数）"),
                                           max_digits=4, decimal_places=2, min_value=1,
                                           max_value=5, initial=Decimal("1.50"),
                                           error_messages=_MSG)
    exit_months = forms.IntegerField(label=_("脱困须持续高于困难线的月数"), min_value=1,
                                     max_value=120, initial=12)
    review_months = forms.IntegerField(label=_("复核周期（月）"), min_value=1, max_value=60,
                                       initial=12)
    followup_months = forms.IntegerField(label=_("脱困后回访间隔（月）"), min_value=1,
                                         max_value=60, initial=6)
    watch_months = forms.IntegerField(label=_("返贫监测期（月）"), min_value=1, max_value=120,
                                      initial=24)


class RevealForm(Bootstrap, forms.Form):
    """Why the full ID numbers are needed: logged with the read (PIPL: who, whose, when, why)."""

    # required by the reveal service itself (its refusal is the page's message)
    purpose = forms.CharField(label=_("查看用途"), max_length=255, required=False,
                              widget=forms.TextInput(attrs={
                                  "class": "form-control form-control-sm",
                                  "placeholder": _("如：入户核对家庭成员身份")}))


class ImportForm(Bootstrap, forms.Form):
    upload = forms.FileField(label=_("标准表（.xlsx 或 .csv）"),
                             error_messages={"required": _("请选择文件。")})
