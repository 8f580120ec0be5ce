"""Forms of the evaluation pages; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.evaluation.models import Grade, QuestionKind, Rating, Scheme, SurveyKind
from gonghui.members.choices import NewEmploymentGroup
from gonghui.orgs.models import Org

W = {"class": "form-control"}
S = {"class": "form-select"}


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class SchemeForm(forms.Form):
    org = OrgChoiceField(label=_("制定单位"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))
    name = forms.CharField(label=_("方案名称"), max_length=200, widget=forms.TextInput(attrs=W))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs=W))
    rerating_years = forms.IntegerField(label=_("复评周期（年）"), min_value=1, max_value=10,
                                        initial=3, widget=forms.NumberInput(attrs=W))
    for_branches = forms.BooleanField(label=_("职工小家方案（评分工会、工会小组）"), required=False)
    checklist = forms.CharField(
        label=_("评分细则"), widget=forms.Textarea(attrs={**W, "rows": 8}),
        help_text=_("每行一项：板块 | 评分项 | 满分 | 佐证材料（可省略）"))
    model_min = forms.DecimalField(label=_("模范（小家）最低分"), required=False, max_digits=7,
                                   decimal_places=2, widget=forms.NumberInput(attrs=W))
    advanced_min = forms.DecimalField(label=_("先进最低分"), required=False, max_digits=7,
                                      decimal_places=2, widget=forms.NumberInput(attrs=W))
    qualified_min = forms.DecimalField(label=_("合格最低分"), required=False, max_digits=7,
                                       decimal_places=2, widget=forms.NumberInput(attrs=W))
    vetoes = forms.CharField(label=_("一票否决事项"), required=False,
                             widget=forms.Textarea(attrs={**W, "rows": 3}),
                             help_text=_("每行一项"))

    def __init__(self, *args: Any, orgs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs if orgs is not None else Org.objects.none()  # type: ignore[attr-defined]

    def thresholds(self) -> dict[str, Any]:
        d = self.cleaned_data
        if d.get("for_branches"):
            return {Grade.MODEL_SMALL: d["model_min"]} if d.get("model_min") is not None else {}
        pairs = [(Grade.MODEL, "model_min"), (Grade.ADVANCED, "advanced_min"),
                 (Grade.QUALIFIED, "qualified_min")]
        return {g: d[k] for g, k in pairs if d.get(k) is not None}


class RatingOpenForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("评家方案"), queryset=Scheme.objects.none(),
                                    widget=forms.Select(attrs=S))
    org = OrgChoiceField(label=_("参评工会"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))

    def __init__(self, *args: Any, schemes: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500,
                             widget=forms.Textarea(attrs={**W, "rows": 2}))


class OnsiteForm(forms.Form):
    on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(attrs={**W, "type": "date"}))
    by = forms.CharField(label=_("检查人员"), max_length=200, widget=forms.TextInput(attrs=W))
    note = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={**W, "rows": 3}))


class EvidenceForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    content = forms.FileField(label=_("佐证材料（PDF/PNG/JPEG，≤10 MB）"))


class PublicizeForm(forms.Form):
    org = OrgChoiceField(label=_("公示范围"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))
    title = forms.CharField(label=_("公示标题"), max_length=200, widget=forms.TextInput(attrs=W))
    working_days = forms.IntegerField(label=_("公示期（工作日）"), min_value=1, max_value=60,
                                      initial=5, widget=forms.NumberInput(attrs=W))
    ratings = forms.ModelMultipleChoiceField(label=_("拟授予名单"), queryset=Rating.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, orgs: Any, ratings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["ratings"].queryset = ratings  # type: ignore[attr-defined]
        self.fields["ratings"].label_from_instance = (  # type: ignore[attr-defined]
            lambda r: f"{r.org.name} · {r.get_grade_display()} · {r.review_total}")


class DowngradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("降为"), choices=Grade.choices, widget=forms.Select(attrs=S))
    reason = forms.CharField(label=_("原因"), max_length=500,
                             widget=forms.Textarea(attrs={**W, "rows": 2}))


class SurveyForm(forms.Form):
    org = OrgChoiceField(label=_("发起单位（调查范围）"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))
    kind = forms.ChoiceField(label=_("类型"), choices=SurveyKind.choices,
                             widget=forms.Select(attrs=S))
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=W))
    intro = forms.CharField(label=_("说明"), required=False,
                            widget=forms.Textarea(attrs={**W, "rows": 2}))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs=W))
    closes_on = forms.DateField(label=_("截止日期"),
                                widget=forms.DateInput(attrs={**W, "type": "date"}))
    anonymous = forms.BooleanField(label=_("匿名（不记录答卷人）"), required=False, initial=True)
    min_group = forms.IntegerField(label=_("最小公布人数"), min_value=1, max_value=1000,
                                   initial=10, widget=forms.NumberInput(attrs=W))
    audience_group = forms.ChoiceField(label=_("限定群体"), required=False,
                                       choices=NewEmploymentGroup.choices,
                                       widget=forms.Select(attrs=S))
    sample_size = forms.IntegerField(label=_("抽样人数（留空为全部）"), required=False,
                                     min_value=1, widget=forms.NumberInput(attrs=W))
    sample_seed = forms.IntegerField(label=_("抽样种子"), required=False, min_value=0,
                                     initial=0, widget=forms.NumberInput(attrs=W))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices,
                             widget=forms.Select(attrs=S))
    text = forms.CharField(label=_("题目"), max_length=300, widget=forms.TextInput(attrs=W))
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    options = forms.CharField(label=_("选项（每行一个）"), required=False,
                              widget=forms.Textarea(attrs={**W, "rows": 3}))
    scale_max = forms.IntegerField(label=_("量表最高分"), min_value=2, max_value=10, initial=5,
                                   widget=forms.NumberInput(attrs=W))
    show_if = forms.IntegerField(label=_("显示条件：第几题"), required=False, min_value=1,
                                 widget=forms.NumberInput(attrs=W))
    show_if_value = forms.IntegerField(label=_("选了第几个选项时显示"), required=False,
                                       min_value=1, widget=forms.NumberInput(attrs=W))


class ThirdPartyForm(forms.Form):
    org = OrgChoiceField(label=_("工会"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs=W))
    evaluator = forms.CharField(label=_("评估机构"), max_length=200,
                                widget=forms.TextInput(attrs=W))
    score = forms.DecimalField(label=_("得分"), max_digits=5, decimal_places=2, min_value=0,
                               max_value=100, widget=forms.NumberInput(attrs=W))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    org = OrgChoiceField(label=_("导入范围"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))
    file = forms.FileField(label=_("文件（.xlsx/.csv：工会代码、年度、评估机构、得分）"))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class WeightsForm(forms.Form):
    org = OrgChoiceField(label=_("设定单位"), queryset=Org.objects.none(),
                         widget=forms.Select(attrs=S))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs=W))
    self_weight = forms.IntegerField(label=_("自评权重（%）"), min_value=0, max_value=100,
                                     initial=40, widget=forms.NumberInput(attrs=W))
    satisfaction_weight = forms.IntegerField(label=_("满意度权重（%）"), min_value=0,
                                             max_value=100, initial=30,
                                             widget=forms.NumberInput(attrs=W))
    third_party_weight = forms.IntegerField(label=_("第三方权重（%）"), min_value=0,
                                            max_value=100, initial=30,
                                            widget=forms.NumberInput(attrs=W))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
