from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gonghui.core import cells
from gonghui.workplan.models import Department, Heading, Plan
from gonghui.workplan.parsing import (
    ParsedHeading,
    ParsedItem,
    ParsedNotice,
    ParsedPlan,
    int_to_cn,
    split_departments,
)

MAX_UPLOAD = 5 * 1024 * 1024
# every choice field gets its real queryset in __init__ (scoped to the viewer or the plan)
_NONE: Any = Department.objects.none()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class Styled:
    """Bootstrap classes on every widget (as orgs.forms does)."""

    fields: dict[str, forms.Field]

    def choices_from(self, name: str, queryset: Any) -> None:
        cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset

    def style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class UploadForm(Styled, forms.Form):
    org = forms.ModelChoiceField(queryset=_NONE, label=_l("制定单位"), empty_label=None)
    file = forms.FileField(label=_l("文件（.txt 或 .docx）"), required=False)
    text = forms.CharField(label=_l("或直接粘贴全文"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_from("org", orgs)
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if not upload and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请上传文件，或粘贴工作要点全文。"))
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 5 MB。"))
        return data


class PlanSettingsForm(Styled, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "year", "doc_number", "issuing_office", "issued_on", "preamble",
                  "at_risk_days", "stale_days"]
        widgets = {"issued_on": DateInput(), "preamble": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "at_risk_days": _l("进行中的节点距截止不超过这些天且进度低于 80% 时标为“存在风险”。"),
            "stale_days": _l("超过这些天没有进度报告的节点标为“存在风险”，并发送提醒。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ItemForm(Styled, forms.Form):
    title = forms.CharField(label=_l("任务"), max_length=200)
    heading = forms.ModelChoiceField(queryset=_NONE, label=_l("所属部分"), required=False)
    text = forms.CharField(label=_l("内容"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_from("heading", Heading.objects.filter(plan=plan).order_by("number"))
        self.style()


class ItemDepartmentsForm(Styled, forms.Form):
    lead = forms.ModelChoiceField(queryset=_NONE, label=_l("牵头部门"))
    co = forms.ModelMultipleChoiceField(queryset=_NONE, label=_l("配合部门"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_from("lead", departments)
        self.choices_from("co", departments)
        self.style()

    def ordered(self, current_order: list[int]) -> list[Department]:
        """Lead first, then co-departments in their present order, new ones after."""
        lead = self.cleaned_data["lead"]
        co = [d for d in self.cleaned_data["co"] if d.pk != lead.pk]
        rank = {pk: i for i, pk in enumerate(current_order)}
        co.sort(key=lambda d: (rank.get(d.pk, len(rank)), d.sort_order, d.pk))
        return [lead, *co]


class MilestoneForm(Styled, forms.Form):
    title = forms.CharField(label=_l("节点"), max_length=200)
    starts_on = forms.DateField(label=_l("开始日期"), widget=DateInput())
    due_date = forms.DateField(label=_l("截止日期"), widget=DateInput())
    department = forms.ModelChoiceField(queryset=_NONE, label=_l("责任部门"), empty_label=None)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_from("department", departments)
        self.style()


class SubTaskForm(Styled, forms.Form):
    department = forms.ModelChoiceField(queryset=_NONE, label=_l("承办部门"), empty_label=None)
    title = forms.CharField(label=_l("分解任务"), max_length=200)
    due_date = forms.DateField(label=_l("截止日期"), widget=DateInput())

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_from("department", departments)
        self.style()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(Styled, forms.Form):
    percent = forms.IntegerField(label=_l("完成进度（%）"), min_value=0, max_value=100,
                                 error_messages={"min_value": _l("完成进度应为 0—100 之间的整数。"),
                                                 "max_value": _l("完成进度应为 0—100 之间的整数。")})
    text = forms.CharField(label=_l("进展情况"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)
    attachments = MultipleFileField(label=_l("附件（可多选，每个不超过 10 MB）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ReasonForm(Styled, forms.Form):
    reason = forms.CharField(label=_l("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class DepartmentForm(Styled, forms.Form):
    org = forms.ModelChoiceField(queryset=_NONE, label=_l("所属工会"), empty_label=None)
    name = forms.CharField(label=_l("部门名称"), max_length=64)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices_from("org", orgs)
        self.style()


class DepartmentEditForm(Styled, forms.Form):
    name = forms.CharField(label=_l("部门名称"), max_length=64)
    sort_order = forms.IntegerField(label=_l("排序"), min_value=0, max_value=100000)
    is_active = forms.BooleanField(label=_l("启用"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class MemberForm(Styled, forms.Form):
    username = forms.CharField(label=_l("用户名"), max_length=150)
    is_head = forms.BooleanField(label=_l("部门负责人"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


# ---------------------------------------------------------------------------------------------
# the import preview: an editable copy of the parsed plan, posted back as indexed fields


def parsed_from_post(post: QueryDict, previous: ParsedPlan) -> tuple[ParsedPlan, list[str]]:
    """Read the preview form back into a ParsedPlan. Rows marked for deletion disappear; the
    blank rows for a new heading or item count once they have text. Returns the plan and the
    messages for fields that could not be read."""
    errors: list[str] = []
    year_text = post.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() else None
    if year_text and year is None:
        errors.append(_("年度应为四位数字。"))
    issued_text = post.get("issued_on", "").strip()
    issued = None
    if issued_text:
        try:
            issued = cells.parse_date(issued_text, required=False)
        except cells.CellError as exc:
            errors.append(_("印发日期：") + exc.message)
    notice = ParsedNotice(
        header=post.get("header", "").strip(), doc_number=post.get("doc_number", "").strip(),
        title=post.get("notice_title", "").strip(), recipients=post.get("notice_recipients", "").strip(),
        body=post.get("notice_body", "").strip(), office=post.get("issuing_office", "").strip(),
        issued_on=issued,
    )
    headings: list[ParsedHeading] = []
    index_map: dict[int, int] = {}  # posted heading index -> new index
    for i in range(_count(post, "heading_count")):
        text = post.get(f"h{i}-text", "").strip()
        if post.get(f"h{i}-delete") or not text:
            continue
        index_map[i] = len(headings)
        headings.append(ParsedHeading(number=len(headings) + 1, label=int_to_cn(len(headings) + 1),
                                      text=text))
    items: list[ParsedItem] = []
    for i in range(_count(post, "item_count")):
        text = post.get(f"i{i}-text", "").strip()
        if post.get(f"i{i}-delete") or not text:
            continue
        heading_raw = post.get(f"i{i}-heading", "")
        heading = index_map.get(int(heading_raw)) if heading_raw.lstrip("-").isdigit() else None
        departments = split_departments(post.get(f"i{i}-departments", ""))
        label = post.get(f"i{i}-label", "").strip() or str(len(items) + 1)
        items.append(ParsedItem(number=len(items) + 1, label=label[:16], heading=heading,
                                title=post.get(f"i{i}-title", "").strip(), text=text,
                                departments=departments))
    parsed = ParsedPlan(title=post.get("title", "").strip(), year=year, notice=notice,
                        preamble=post.get("preamble", "").strip(), headings=headings, items=items,
                        warnings=previous.warnings)
    return parsed, errors


def _count(post: QueryDict, name: str) -> int:
    value = post.get(name, "0")
    return min(int(value), 400) if value.isdigit() else 0
