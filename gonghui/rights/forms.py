"""Forms of the rights pages. The API binds the same forms to its JSON bodies, so a field is
checked once for pages and API alike; the rules themselves live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.rights.models import (
    Body,
    CaseKind,
    ContractKind,
    Delegate,
    DisputeType,
    Lawyer,
    Outcome,
    Representative,
    SignalKind,
)


class Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(field, forms.DateField):
                widget.input_type = "date"  # type: ignore[attr-defined]


def _money(label: Any, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=Decimal("0"),
                              max_digits=14, decimal_places=2, initial=Decimal("0"))


def _text(label: Any, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}),
                           max_length=5000)


class PortalCaseForm(Styled):
    union = forms.ChoiceField(label=_("向哪个工会求助"))
    dispute_type = forms.ChoiceField(label=_("争议类型"), choices=DisputeType.choices)
    description = _text(_("发生了什么"), rows=4)
    known_on = forms.DateField(label=_("您知道权益受损的日期"))
    employer_name = forms.CharField(label=_("用人单位"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    workers_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=1)
    amount_claimed = _money(_("涉及金额（元）"))
    id_number = forms.CharField(label=_("身份证号码（选填）"), max_length=32, required=False)
    file = forms.FileField(label=_("照片或材料（选填）"), required=False)

    def __init__(self, *args: Any, unions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = unions  # type: ignore[attr-defined]


class CaseOpenForm(Styled):
    union = forms.CharField(label=_("受理工会（组织代码）"), max_length=40)
    kind = forms.ChoiceField(label=_("案件类型"), choices=[
        (CaseKind.MEDIATION, CaseKind.MEDIATION.label),
        (CaseKind.LEGAL_AID, CaseKind.LEGAL_AID.label)])
    worker_name = forms.CharField(label=_("职工姓名"), max_length=64)
    id_number = forms.CharField(label=_("身份证号码"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    is_member = forms.BooleanField(label=_("工会会员"), required=False)
    employer = forms.IntegerField(label=_("用人单位（编号）"), required=False)
    employer_name = forms.CharField(label=_("用人单位名称"), max_length=200, required=False)
    dispute_type = forms.ChoiceField(label=_("争议类型"), choices=DisputeType.choices)
    description = _text(_("情况说明"))
    workers_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=1)
    amount_claimed = _money(_("诉求金额（元）"))
    known_on = forms.DateField(label=_("知道权利被侵害之日"))
    applied_on = forms.DateField(label=_("申请日期"))


class AcceptForm(Styled):
    kind = forms.ChoiceField(label=_("案件类型"), choices=[
        (CaseKind.MEDIATION, CaseKind.MEDIATION.label),
        (CaseKind.LEGAL_AID, CaseKind.LEGAL_AID.label)])
    lawyer = forms.ModelChoiceField(label=_("承办律师/志愿者"), queryset=Lawyer.objects.none(),
                                    required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, lawyers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lawyers is not None:
            self.fields["lawyer"].queryset = lawyers  # type: ignore[attr-defined]


class AssignForm(Styled):
    lawyer = forms.ModelChoiceField(label=_("承办律师/志愿者"), queryset=Lawyer.objects.none())

    def __init__(self, *args: Any, lawyers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lawyers is not None:
            self.fields["lawyer"].queryset = lawyers  # type: ignore[attr-defined]


class ReasonForm(Styled):
    reason = forms.CharField(label=_("理由/说明"), max_length=500)


class ReferForm(Styled):
    to_body = forms.ChoiceField(label=_("移交给"), choices=Body.choices)
    on = forms.DateField(label=_("移交日期"))
    reason = forms.CharField(label=_("移交原因"), max_length=500)
    documents = forms.CharField(label=_("随附材料"), max_length=500, required=False)


class HearingForm(Styled):
    on = forms.DateField(label=_("开庭/调解日期"))
    note = forms.CharField(label=_("情况记录"), max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3}))


class CloseForm(Styled):
    outcome = forms.ChoiceField(label=_("结案结果"), choices=Outcome.choices)
    amount_recovered = _money(_("为职工挽回金额（元）"))
    closed_on = forms.DateField(label=_("结案日期"))
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class RevealForm(Styled):
    purpose = forms.CharField(label=_("查看用途"), max_length=255)


class DocumentForm(Styled):
    file = forms.FileField(label=_("照片或材料（JPG/PNG/PDF，10 MB 以内）"))


class RateForm(Styled):
    rating = forms.TypedChoiceField(label=_("评价"), coerce=int, choices=[
        (5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")])
    comment = forms.CharField(label=_("意见"), max_length=500, required=False)


class LawyerForm(Styled):
    org = forms.CharField(label=_("所属工会（组织代码）"), max_length=40)
    name = forms.CharField(label=_("姓名"), max_length=64)
    kind = forms.ChoiceField(label=_("类别"), choices=Lawyer.Kind.choices)
    firm = forms.CharField(label=_("律师事务所/单位"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class OpinionForm(Styled):
    org = forms.CharField(label=_("发文工会（组织代码）"), max_length=40)
    employer = forms.IntegerField(label=_("用人单位（编号）"))
    violation = _text(_("违法事实"))
    legal_basis = _text(_("法律依据"))
    correction = _text(_("整改要求"))
    issued_on = forms.DateField(label=_("发出日期"))


class ReplyForm(Styled):
    reply_on = forms.DateField(label=_("答复日期"))
    reply_text = _text(_("答复内容"))
    corrected = forms.BooleanField(label=_("用人单位已按要求整改"), required=False)


class EscalateForm(Styled):
    authority = forms.CharField(label=_("劳动保障监察机构"), max_length=200)
    issued_on = forms.DateField(label=_("发出日期"))


class PolicyForm(Styled):
    org = forms.CharField(label=_("工会（组织代码）"), max_length=40)
    reply_days = forms.IntegerField(label=_("意见书答复期限（天）"), min_value=1, max_value=90)
    reply_in_working_days = forms.BooleanField(label=_("按工作日计算"), required=False)


class ContractForm(Styled):
    org = forms.CharField(label=_("工会（组织代码）"), max_length=40)
    kind = forms.ChoiceField(label=_("种类"), choices=ContractKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    requested_on = forms.DateField(label=_("书面协商要求日期"))
    employers = forms.CharField(label=_("覆盖的用人单位编号（逗号分隔）"), max_length=2000)

    def clean_employers(self) -> list[int]:
        raw = str(self.cleaned_data["employers"]).replace("，", ",")
        try:
            ids = sorted({int(x) for x in raw.split(",") if x.strip()})
        except ValueError as exc:
            raise forms.ValidationError(_("请填写用人单位编号，用逗号分隔。")) from exc
        if not ids:
            raise forms.ValidationError(_("请至少填写一个用人单位编号。"))
        return ids


class AnswerForm(Styled):
    answered_on = forms.DateField(label=_("对方答复日期"))


class RepresentativeForm(Styled):
    side = forms.ChoiceField(label=_("代表方"), choices=Representative.Side.choices)
    name = forms.CharField(label=_("姓名"), max_length=64)
    is_chief = forms.BooleanField(label=_("首席代表"), required=False)


class AdoptForm(Styled):
    adopted_on = forms.DateField(label=_("职代会通过日期"))
    delegates_total = forms.IntegerField(label=_("全体代表（或全体职工）人数"), min_value=1)
    delegates_present = forms.IntegerField(label=_("出席人数"), min_value=0)
    votes_for = forms.IntegerField(label=_("赞成票"), min_value=0)


class SignForm(Styled):
    signed_on = forms.DateField(label=_("签订日期"))
    term_start = forms.DateField(label=_("期限起始"))
    term_end = forms.DateField(label=_("期限届满（最后一日）"))


class FilingForm(Styled):
    filed_on = forms.DateField(label=_("报送日期"))
    received_on = forms.DateField(label=_("劳动部门收到日期"))


class ObjectionForm(Styled):
    on = forms.DateField(label=_("异议日期"))
    reason = forms.CharField(label=_("异议内容"), max_length=500)


class CongressForm(Styled):
    org = forms.CharField(label=_("工会（组织代码）"), max_length=40)
    employer = forms.IntegerField(label=_("用人单位（编号）"))
    name = forms.CharField(label=_("名称"), max_length=200)
    term_start = forms.DateField(label=_("本届起始"))
    term_end = forms.DateField(label=_("本届届满"))


class DelegateForm(Styled):
    name = forms.CharField(label=_("姓名"), max_length=64)
    group = forms.ChoiceField(label=_("类别"), choices=Delegate.Group.choices)
    is_woman = forms.BooleanField(label=_("女职工"), required=False)


class SessionForm(Styled):
    held_on = forms.DateField(label=_("召开日期"))
    title = forms.CharField(label=_("会议名称"), max_length=200)
    attendees = forms.ModelMultipleChoiceField(label=_("出席代表"), required=False,
                                               queryset=Delegate.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, delegates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if delegates is not None:
            self.fields["attendees"].queryset = delegates  # type: ignore[attr-defined]


class ResolutionForm(Styled):
    session = forms.IntegerField(label=_("会议（编号）"))
    title = forms.CharField(label=_("议题"), max_length=200)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0, initial=0)
    abstained = forms.IntegerField(label=_("弃权"), min_value=0, initial=0)


class OpenAffairForm(Styled):
    title = forms.CharField(label=_("公开事项"), max_length=200)
    content = forms.CharField(label=_("内容"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    published_on = forms.DateField(label=_("公开日期"))


class SignalForm(Styled):
    employer = forms.IntegerField(label=_("用人单位（编号）"))
    kind = forms.ChoiceField(label=_("信号类型"), choices=SignalKind.choices)
    on = forms.DateField(label=_("发生日期"))
    severity = forms.IntegerField(label=_("严重程度（1-5）"), min_value=1, max_value=5, initial=1)
    workers = forms.IntegerField(label=_("涉及人数"), min_value=0, initial=0, required=False)
    amount = _money(_("涉及金额（元）"))
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class SignalImportForm(Styled):
    org = forms.CharField(label=_("辖区工会（组织代码）"), max_length=40)
    file = forms.FileField(label=_("Excel 文件（.xlsx）"),
                           help_text=_("表头：统一社会信用代码、单位名称、信号类型、发生日期、严重程度、涉及人数、说明"))


class WeightForm(Styled):
    kind = forms.ChoiceField(label=_("信号类型"), choices=SignalKind.choices)
    weight = forms.DecimalField(label=_("权重"), min_value=Decimal("0"), max_digits=6,
                                decimal_places=2)
    half_life_days = forms.IntegerField(label=_("半衰期（天）"), min_value=1)


class AlertActForm(Styled):
    action = forms.CharField(label=_("处置措施"), max_length=100, required=False)
    note = forms.CharField(label=_("处置情况"), max_length=400)
    close = forms.BooleanField(label=_("处置完毕，关闭预警"), required=False)
