"""Forms of the outreach pages (the API takes the same fields through its schemas)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.outreach.models import (
    AMENITY_CODES,
    ActivityKind,
    Amenity,
    Audience,
    Group,
    ProjectMetric,
    StationKind,
    StationStatus,
)

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMENITY_CHOICES = [(code, Amenity(bit).label) for code, bit in AMENITY_CODES.items()]


class StationForm(forms.Form):
    org = forms.CharField(label=_("所属工会代码"), max_length=40)
    code = forms.CharField(label=_("站点编号"), max_length=40, required=False,
                           help_text=_("留空则自动编号"))
    name = forms.CharField(label=_("站点名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=StationKind.choices)
    address = forms.CharField(label=_("地址"), max_length=255)
    district = forms.CharField(label=_("所在区"), max_length=32)
    lat = forms.FloatField(label=_("纬度"))
    lon = forms.FloatField(label=_("经度"))
    amenity_codes = forms.MultipleChoiceField(label=_("服务设施"), choices=AMENITY_CHOICES,
                                              required=False,
                                              widget=forms.CheckboxSelectMultiple)
    weekly = forms.CharField(label=_("开放时间"), max_length=300,
                             help_text=_("例如：周一至周五 08:00-20:00; 周六 22:00-06:00"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    opened_on = forms.DateField(label=_("建成日期"), required=False, widget=DATE)
    public = forms.BooleanField(label=_("在公开地图上显示"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["amenities"] = sum(AMENITY_CODES[c] for c in data.pop("amenity_codes", []))
        data.pop("org", None)
        return data


class StationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=StationStatus.choices)
    reason = forms.CharField(label=_("原因"), max_length=500)


class ExceptionForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    closed = forms.BooleanField(label=_("全天关闭"), required=False)
    opens = forms.TimeField(label=_("开放时间"), required=False,
                            widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=_("关闭时间"), required=False,
                             widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE)
    passed = forms.BooleanField(label=_("合格"), required=False, initial=True)
    inspector = forms.CharField(label=_("检查人"), max_length=64)
    note = forms.CharField(label=_("检查情况"), max_length=500, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("站点表（.xlsx）"))


class ActivityForm(forms.Form):
    org = forms.CharField(label=_("主办工会代码"), max_length=40)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    description = forms.CharField(label=_("活动内容"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))
    place = forms.CharField(label=_("地点"), max_length=255)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DT)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DT)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100000)
    group = forms.ChoiceField(label=_("限定群体"), required=False,
                              choices=[("", _("不限（本工会及下属全体会员）")), *Group.choices])
    signup_opens = forms.DateTimeField(label=_("报名开始"), widget=DT)
    signup_closes = forms.DateTimeField(label=_("报名截止"), widget=DT)
    cancel_deadline = forms.DateTimeField(label=_("取消报名截止"), widget=DT)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500)


class CardForm(forms.Form):
    card_number = forms.CharField(label=_("会员证号"), max_length=20)


class TokenForm(forms.Form):
    token = forms.CharField(label=_("签到码"), max_length=64)


class AnnouncementForm(forms.Form):
    org = forms.CharField(label=_("发布工会代码"), max_length=40)
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 6}))
    audience = forms.ChoiceField(label=_("发送对象"), choices=Audience.choices)
    group = forms.ChoiceField(label=_("群体"), required=False,
                              choices=[("", "—"), *Group.choices])
    pinned = forms.BooleanField(label=_("置顶"), required=False)
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=DATE)
    attachment = forms.FileField(label=_("附件"), required=False)


class ProjectForm(forms.Form):
    org = forms.CharField(label=_("下达工会代码"), max_length=40)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    kind = forms.ChoiceField(label=_("站点类型"), choices=StationKind.choices)
    metric = forms.ChoiceField(label=_("计算口径"), choices=ProjectMetric.choices)
    targets = forms.CharField(label=_("各区目标"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("每行一个区：区工会代码 目标数，例如“SH-A 120”"))

    def clean_targets(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in self.cleaned_data["targets"].splitlines():
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(_("无法识别“{line}”，请写成“区工会代码 目标数”。")
                                            .format(line=line.strip()))
            out[parts[0]] = int(parts[1])
        if not out:
            raise forms.ValidationError(_("请至少为一个区设置目标数。"))
        return out


class CourseForm(forms.Form):
    org = forms.CharField(label=_("主办工会代码"), max_length=40)
    title = forms.CharField(label=_("课程名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("课程介绍"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("上课时间"), widget=DT)
    hours = forms.DecimalField(label=_("学时"), max_digits=4, decimal_places=1)
    topic = forms.CharField(label=_("主题"), max_length=200, required=False)


class EnrolForm(forms.Form):
    username = forms.CharField(label=_("干部账户名"), max_length=150)


class AttendanceForm(forms.Form):
    users = forms.CharField(label=_("出勤干部（账户名，每行一个）"),
                            widget=forms.Textarea(attrs={"rows": 3}))


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("照片（PNG 或 JPEG，不超过 5 MB）"))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)
