from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class EmployerForm(StyledForm):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    industry = forms.CharField(label=_("行业"), max_length=64, required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    employees_count = forms.IntegerField(label=_("职工人数"), min_value=0, max_value=10_000_000,
                                         initial=0)
    area = forms.CharField(label=_("所在区域工会代码"), max_length=40,
                           help_text=_("单位所在街道/乡镇/园区或区县工会的组织代码。"))
    union = forms.CharField(label=_("覆盖工会代码"), max_length=40, required=False,
                            help_text=_("已建会单位填写其工会的组织代码；未建会留空。"))


class ImportForm(StyledForm):
    upload = forms.FileField(label=_("用人单位表格（.xlsx）"))


class ReportForm(StyledForm):
    org = forms.CharField(label=_("统计范围（组织代码）"), max_length=40)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
