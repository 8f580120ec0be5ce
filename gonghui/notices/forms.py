from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from gonghui.core.models import WorkdayOverride
from gonghui.notices.models import NoticeItem
from gonghui.notices.services import MAX_WORKING_DAYS
from gonghui.orgs.models import Org


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class ObjectionForm(Styled):
    item = forms.ModelChoiceField(queryset=NoticeItem.objects.none(), required=False,
                                  label=_l("异议对象"), empty_label=_l("整个公示"))
    text = forms.CharField(label=_l("异议内容"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label=_l("联系方式（选填）"), max_length=100, required=False)

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items


class DecideForm(Styled):
    decision = forms.ChoiceField(label=_l("处理结果"), choices=[
        ("upheld", _l("异议成立")), ("dismissed", _l("异议不成立"))])
    reason = forms.CharField(label=_l("处理意见"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(Styled):
    reason = forms.CharField(label=_l("撤回原因"), max_length=500)


class PublishForm(Styled):
    org: forms.ModelChoiceField[Org] = forms.ModelChoiceField(
        queryset=Org.objects.none(), label=_l("公示范围"), empty_label=None)
    title = forms.CharField(label=_l("标题"), max_length=200)
    body = forms.CharField(label=_l("说明"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    working_days = forms.IntegerField(label=_l("公示工作日数"), min_value=1,
                                      max_value=MAX_WORKING_DAYS, initial=5)
    start_date = forms.DateField(label=_l("开始日期"), required=False, widget=DateInput())
    items = forms.CharField(label=_l("公示名单（每行一条：姓名、单位、事由；不得含身份证号）"),
                            widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = orgs


class WorkdayForm(Styled):
    date = forms.DateField(label=_l("日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_l("类型"), choices=WorkdayOverride.Kind.choices)
    note = forms.CharField(label=_l("说明"), max_length=200, required=False)


class WorkdayImportForm(Styled):
    file = forms.FileField(label=_l("文件（.csv 或 .xlsx：日期、类型、说明）"))
