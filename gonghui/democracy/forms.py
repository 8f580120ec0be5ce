"""Forms of the democracy pages (input shape only; the rules live in the services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.democracy.models import Body, ContactKind, RoundMode, Satisfaction


class _Form(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ElectionForm(_Form):
    org = forms.CharField(label=_("工会（组织代码）"), max_length=64)
    title = forms.CharField(label=_("选举名称"), max_length=200)
    body = forms.ChoiceField(label=_("选举机构"), choices=Body.choices)
    seats = forms.IntegerField(label=_("应选名额"), min_value=1, max_value=500)
    meeting_on = forms.DateField(label=_("选举大会日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    term_years = forms.TypedChoiceField(label=_("任期（年）"), coerce=int,
                                        choices=[(5, "5"), (3, "3")])


class ApprovalForm(_Form):
    approval = forms.CharField(label=_("上级工会批复（文号或意见）"), max_length=500)
    consultation = forms.CharField(label=_("酝酿情况"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(_Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500)


class CandidateForm(_Form):
    name = forms.CharField(label=_("候选人姓名"), max_length=64)
    note = forms.CharField(label=_("简况"), max_length=200, required=False)
    username = forms.CharField(label=_("系统账号（可选）"), max_length=150, required=False)


class VotersForm(_Form):
    lines = forms.CharField(label=_("选举人名单"), widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("每行一人：姓名，或“姓名,账号”（有账号者可电子投票）。"))


class AttendanceForm(_Form):
    present = forms.TypedMultipleChoiceField(label=_("到会人员"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, voters: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["present"]).choices = [(v.pk, v.name) for v in voters]


class RoundOpenForm(_Form):
    mode = forms.ChoiceField(label=_("投票方式"), choices=RoundMode.choices,
                             widget=forms.RadioSelect)


class PaperCountForm(_Form):
    issued = forms.IntegerField(label=_("发出选票"), min_value=0)
    returned = forms.IntegerField(label=_("收回选票"), min_value=0)
    void = forms.IntegerField(label=_("废票"), min_value=0, required=False)

    def __init__(self, *args: Any, candidates: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for i, name in enumerate(self.candidates):
            self.fields[f"c{i}"] = forms.IntegerField(label=name, min_value=0, initial=0)
        self.style()

    def tally(self) -> dict[str, int]:
        return {name: self.cleaned_data[f"c{i}"] for i, name in enumerate(self.candidates)}


class TermForm(_Form):
    org = forms.CharField(label=_("工会（组织代码）"), max_length=64)
    body = forms.ChoiceField(label=_("机构"), choices=Body.choices[:3])
    started_on = forms.DateField(label=_("任期开始"), widget=forms.DateInput(attrs={"type": "date"}))
    years = forms.TypedChoiceField(label=_("任期（年）"), coerce=int, choices=[(5, "5"), (3, "3")])


class VoteForm(_Form):
    choices = forms.MultipleChoiceField(label=_("赞成的候选人"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    cast = forms.BooleanField(label=_("我已确认，提交选票"),
                              error_messages={"required": _("请勾选确认后再提交选票。")})

    def __init__(self, *args: Any, candidates: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["choices"]).choices = [(n, n) for n in candidates]


class GrantForm(_Form):
    candidate = forms.IntegerField()
    role = forms.ChoiceField(label=_("角色"), choices=[("cadre", _("工会干部")),
                                                      ("viewer", _("查看者"))])


class CongressForm(_Form):
    org = forms.CharField(label=_("工会（组织代码）"), max_length=64)
    name = forms.CharField(label=_("名称"), max_length=200)
    started_on = forms.DateField(label=_("本届开始"), widget=forms.DateInput(attrs={"type": "date"}))
    term_years = forms.TypedChoiceField(label=_("任期（年）"), coerce=int,
                                        choices=[(5, "5"), (3, "3")])
    min_cosigners = forms.IntegerField(label=_("提案最少附议人数"), min_value=0, max_value=50,
                                       initial=2)


class RepresentativesForm(_Form):
    elected_on = forms.DateField(label=_("当选日期"), widget=forms.DateInput(attrs={"type": "date"}))
    lines = forms.CharField(label=_("代表名单"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("每行一人：选举单位,姓名[,账号]"))


class SessionForm(_Form):
    held_on = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    agenda = forms.CharField(label=_("议程"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    present = forms.TypedMultipleChoiceField(label=_("出席代表"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, representatives: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["present"]).choices = [(r.pk, str(r)) for r in representatives]


class SessionVoteForm(_Form):
    session = forms.IntegerField(label=_("会议"))
    subject = forms.CharField(label=_("表决事项"), max_length=200)
    yes = forms.IntegerField(label=_("赞成"), min_value=0)
    no = forms.IntegerField(label=_("反对"), min_value=0)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0)


class ContactForm(_Form):
    representative = forms.IntegerField(label=_("代表"))
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("方式"), choices=ContactKind.choices)
    members_reached = forms.IntegerField(label=_("联系职工人数"), min_value=0, initial=0)
    summary = forms.CharField(label=_("内容摘要"), max_length=500)


class ProposalDraftForm(_Form):
    congress = forms.IntegerField(label=_("代表大会"))
    title = forms.CharField(label=_("案由"), max_length=200)
    body = forms.CharField(label=_("内容与建议"), widget=forms.Textarea(attrs={"rows": 5}))


class CosignForm(_Form):
    proposal = forms.IntegerField()


class DecideForm(_Form):
    decision = forms.ChoiceField(label=_("审查结论"), choices=[
        ("accepted", _("立案")), ("opinion", _("转为意见建议")), ("declined", _("不予立案"))])
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class AssignForm(_Form):
    lead = forms.IntegerField(label=_("牵头部门"))
    co = forms.TypedMultipleChoiceField(label=_("协办部门"), coerce=int, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label=_("答复期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["co"]).choices = [(d.pk, d.name) for d in departments]
        self.fields["lead"].widget = forms.Select(choices=[(d.pk, d.name) for d in departments],
                                                  attrs={"class": "form-select"})


class ReplyForm(_Form):
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}))


class RateForm(_Form):
    satisfaction = forms.ChoiceField(label=_("您对答复的评价"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
