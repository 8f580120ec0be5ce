"""Forms of awards pages: typed input only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.awards.models import (
    CareKind,
    CompetitionKind,
    HonourKind,
    StudioLevel,
    StudioRating,
    TieRule,
    WorkerCategory,
)
from gonghui.members.choices import SkillLevel


class _Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class SchemeForm(_Styled):
    org = forms.CharField(label=_("评选工会（代码）"), max_length=40)
    kind = forms.ChoiceField(label=_("荣誉类型"), choices=HonourKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=200)
    notice_working_days = forms.IntegerField(label=_("公示工作日数"), min_value=1,
                                             max_value=60, initial=5)
    min_frontline_pct = forms.IntegerField(label=_("一线职工最低比例（%）"), min_value=0,
                                           max_value=100, required=False)
    min_technical_pct = forms.IntegerField(label=_("技术人员最低比例（%）"), min_value=0,
                                           max_value=100, required=False)
    max_manager_pct = forms.IntegerField(label=_("管理人员最高比例（%）"), min_value=0,
                                         max_value=100, required=False)
    min_women_pct = forms.IntegerField(label=_("女性最低比例（%）"), min_value=0, max_value=100,
                                       required=False)
    exclusion_years = forms.IntegerField(label=_("近几年内已获同级荣誉者不得推荐"), min_value=0,
                                         max_value=20, initial=0)
    nomination_deadline = forms.DateField(label=_("推荐截止日期"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))


class QuotaForm(_Styled):
    org = forms.CharField(label=_("工会代码"), max_length=40)
    quota = forms.IntegerField(label=_("名额"), min_value=0, max_value=100000)


class NominationForm(_Styled):
    union = forms.CharField(label=_("推荐单位（代码）"), max_length=40)
    member = forms.CharField(label=_("会员姓名或身份证号码"), max_length=64, required=False)
    # set by the nominee picker (a held member of the union's subtree, checked again on POST)
    person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("单位/集体名称"), max_length=200, required=False)
    unit_name = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("人员类别"), required=False,
                                 choices=[("", "—"), *WorkerCategory.choices])
    job_title = forms.CharField(label=_("职务/岗位"), max_length=100, required=False)
    deeds_summary = forms.CharField(label=_("事迹摘要（公示用，200字以内）"), max_length=200)
    deeds = forms.CharField(label=_("主要事迹"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("附件"), required=False)


class ReasonForm(_Styled):
    reason = forms.CharField(label=_("原因"), max_length=500)


class ResubmitForm(_Styled):
    deeds_summary = forms.CharField(label=_("事迹摘要"), max_length=200, required=False)
    deeds = forms.CharField(label=_("主要事迹"), widget=forms.Textarea(attrs={"rows": 5}),
                            required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class RegisterForm(_Styled):
    union = forms.CharField(label=_("所属工会（代码）"), max_length=40)
    member = forms.CharField(label=_("会员姓名或身份证号码"), max_length=64)
    kind = forms.ChoiceField(label=_("荣誉"), choices=HonourKind.choices)
    level = forms.ChoiceField(label=_("授予层级"), choices=[
        ("national", _("全国")), ("province", _("省级")), ("city", _("市级")),
        ("district", _("区县/产业"))])
    year = forms.IntegerField(label=_("获奖年度"), min_value=1950, max_value=2100)
    title = forms.CharField(label=_("荣誉名称"), max_length=200, required=False)
    monthly_allowance = forms.DecimalField(label=_("劳模津贴（元/月）"), max_digits=10,
                                           decimal_places=2, min_value=0, initial=0)


class CareForm(_Styled):
    kind = forms.ChoiceField(label=_("类别"), choices=[
        c for c in CareKind.choices if c[0] != CareKind.HARDSHIP])
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2,
                                min_value=0, initial=0)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class CompetitionForm(_Styled):
    org = forms.CharField(label=_("主办工会（代码）"), max_length=40)
    title = forms.CharField(label=_("竞赛名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=CompetitionKind.choices)
    team = forms.BooleanField(label=_("团体赛"), required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    trade = forms.CharField(label=_("工种限制"), max_length=64, required=False)
    min_age = forms.IntegerField(label=_("最低年龄"), min_value=16, max_value=80, required=False)
    max_age = forms.IntegerField(label=_("最高年龄"), min_value=16, max_value=80, required=False)
    tie_rule = forms.ChoiceField(label=_("同分规则"), choices=TieRule.choices)
    criteria = forms.CharField(
        label=_("评分项（每行：名称,满分,权重）"), widget=forms.Textarea(attrs={"rows": 4}),
        initial="理论知识,100,0.3\n实际操作,100,0.7")


class EntryForm(_Styled):
    member = forms.CharField(label=_("会员姓名或身份证号码"), max_length=64, required=False)
    union = forms.CharField(label=_("所属工会（代码）"), max_length=40, required=False)
    team_name = forms.CharField(label=_("队伍名称"), max_length=200, required=False)
    team_members = forms.CharField(label=_("队员"), max_length=500, required=False)


class ScoreForm(_Styled):
    entry = forms.IntegerField(label=_("选手"))
    criterion = forms.IntegerField(label=_("评分项"))
    score = forms.DecimalField(label=_("得分"), max_digits=6, decimal_places=2)


class SkillForm(_Styled):
    entry = forms.IntegerField(label=_("选手"))
    level = forms.ChoiceField(label=_("技能等级"), choices=[c for c in SkillLevel.choices if c[0]])


class StudioForm(_Styled):
    org = forms.CharField(label=_("所属工会（代码）"), max_length=40)
    name = forms.CharField(label=_("工作室名称"), max_length=200)
    level = forms.ChoiceField(label=_("级别"), choices=StudioLevel.choices)
    lead_name = forms.CharField(label=_("领衔人"), max_length=64)
    members = forms.CharField(label=_("成员"), max_length=500, required=False)
    field = forms.CharField(label=_("领域"), max_length=100, required=False)
    founded_year = forms.IntegerField(label=_("命名年度"), min_value=1990, max_value=2100)


class RatingForm(_Styled):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    rating = forms.ChoiceField(label=_("评级"), choices=StudioRating.Rating.choices)
    achievements = forms.CharField(label=_("年度成果"), widget=forms.Textarea(attrs={"rows": 3}),
                                   required=False)


class ResultForm(_Styled):
    org = forms.CharField(label=_("所属工会（代码）"), max_length=40)
    title = forms.CharField(label=_("成果名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    people = forms.CharField(label=_("完成人"), max_length=300)
    studio = forms.IntegerField(label=_("创新工作室编号"), required=False)
    award = forms.CharField(label=_("获奖等级"), max_length=64, required=False)
    benefit = forms.CharField(label=_("经济效益"), max_length=200, required=False)
