from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.roster.readers import SUFFIXES


class UploadForm(forms.Form):
    union = forms.CharField(label=_("导入到"), max_length=200)
    file = forms.FileField(label=_("名册文件"), help_text=_("支持 .xlsx、.xls、.csv（UTF-8 或 GBK/GB18030）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not any(name.endswith(suffix) for suffix in SUFFIXES):
            raise forms.ValidationError(_("请上传 .xlsx、.xls 或 .csv 文件。"))
        return upload


class ExportForm(forms.Form):
    union = forms.CharField(label=_("导出范围（含下级）"), max_length=200)
    file_format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "Excel (.xlsx)"),
                                                               ("csv", "CSV")])
    include_ended = forms.BooleanField(label=_("包含已退会、已转出等非在册人员"), required=False)
    reveal = forms.BooleanField(label=_("显示完整身份证号码（将记录查看日志）"), required=False)
    purpose = forms.CharField(label=_("查看用途"), max_length=200, required=False,
                              help_text=_("导出完整身份证号码时必须填写，将与查看日志一起记录"))


class ReportForm(forms.Form):
    """The purpose asked of whoever downloads someone else's error report (full ID numbers)."""

    purpose = forms.CharField(label=_("查看用途"), max_length=200, required=False,
                              initial=_("下载名册导入错误报告"))
