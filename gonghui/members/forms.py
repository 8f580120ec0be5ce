"""Forms of the member pages. The field rules are not here: `clean()` calls
members.validation.check_person, the same function the API and the roster importer use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import clock
from gonghui.members.choices import (
    ETHNICITIES,
    Education,
    EmploymentForm,
    NewEmploymentGroup,
    PoliticalStatus,
    SkillLevel,
)
from gonghui.members.choices import HouseholdType as Household
from gonghui.members.models import LapseContact
from gonghui.members.validation import check_person

if TYPE_CHECKING:  # the mixin is always combined with forms.Form: type-check it as one
    _FormBase = forms.Form
else:
    _FormBase = object


class BootstrapMixin(_FormBase):
    """Bootstrap classes on every widget, `is-invalid` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def _with_blank(choices, blank=None):
    return [("", blank or _("请选择")), *[(v, label) for v, label in choices if v]]


class PersonForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("18 位，性别和出生日期按号码自动识别"),
    )
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    ethnicity = forms.ChoiceField(label=_("民族"), required=False,
                                  choices=[("", _("请选择")), *[(e, e) for e in ETHNICITIES]])
    education = forms.ChoiceField(label=_("学历"), required=False,
                                  choices=_with_blank(Education.choices))
    political_status = forms.ChoiceField(label=_("政治面貌"), required=False,
                                         choices=_with_blank(PoliticalStatus.choices))
    household_type = forms.ChoiceField(label=_("户籍类型"), required=False,
                                       choices=_with_blank(Household.choices))
    employment_form = forms.ChoiceField(label=_("用工形式"), required=False,
                                        choices=_with_blank(EmploymentForm.choices))
    new_employment_group = forms.ChoiceField(
        label=_("新就业形态群体"), required=False,
        choices=[("", _("不属于")), *[(v, label) for v, label in NewEmploymentGroup.choices if v]],
    )
    employer_name = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    occupation = forms.CharField(label=_("职业/岗位"), max_length=64, required=False)
    skill_level = forms.ChoiceField(label=_("技能等级"), required=False,
                                    choices=_with_blank(SkillLevel.choices, _("无")))
    monthly_wage = forms.CharField(label=_("月工资（元）"), max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    required_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _person, errors = check_person(data, today=clock.today(), required=self.required_fields)
        for error in errors:
            field = error.field if error.field in self.fields else None
            if field is not None and field in self.errors:
                continue  # the form field already said it (e.g. required)
            self.add_error(field, error.message)
        return data

    def person_fields(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k in PersonForm.base_fields}


class MemberAddForm(PersonForm):
    union = forms.ChoiceField(label=_("所在工会"))
    joined_on = forms.DateField(label=_("入会日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("留空为今天"))

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["union"]).choices = [(o.code, f"{o.name}（{o.code}）") for o in unions]
        self.order_fields(["union", "joined_on"])


class MemberEditForm(PersonForm):
    reason = forms.CharField(label=_("修改说明"), max_length=200, required=False)


class ApplyForm(PersonForm):
    """The portal's join form: the phone is required (the union calls back)."""

    basis = forms.ChoiceField(label=_("入会途径"), choices=[
        ("employer", _("本单位工会")),
        ("no_union", _("单位未建工会（两非一无），加入所在街道/园区/行业工会")),
        ("new_employment", _("新就业形态劳动者，加入覆盖我的工会")),
    ])
    consent = forms.BooleanField(
        label=_("我自愿加入中华全国总工会，承认工会章程，同意工会按《个人信息保护法》处理我的上述信息。"))
    required_fields = ("phone",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].error_messages["required"] = _("请填写手机号，工会审批时会联系您。")


class StatusForm(BootstrapMixin, forms.Form):
    target = forms.ChoiceField(label=_("变更为"), choices=[
        ("retired", _("退休（保留会籍）")), ("withdrawn", _("退会")), ("deceased", _("已故")),
    ])
    on = forms.DateField(label=_("日期"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=500)


class TransferStartForm(BootstrapMixin, forms.Form):
    to_union = forms.CharField(label=_("转入工会代码"), max_length=40,
                               help_text=_("接收工会的组织代码，如 SH-HP-01-02"))
    new_employer = forms.CharField(label=_("新工作单位"), max_length=200, required=False)
    reason = forms.CharField(label=_("转会原因"), max_length=500, required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("原因/意见"), max_length=500, required=False)


class RevealForm(BootstrapMixin, forms.Form):
    purpose = forms.CharField(label=_("查看用途"), max_length=255)


class LapseContactForm(BootstrapMixin, forms.Form):
    method = forms.CharField(label=_("联系方式"), max_length=32, initial=_("电话"))
    outcome = forms.ChoiceField(label=_("结果"), choices=LapseContact.Outcome.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class RegisterForm(BootstrapMixin, forms.Form):
    """Worker self-registration: the username is the mobile number."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "username"}))
    # the number is proved by a code sent to it (members.phone_check)
    code = forms.CharField(label=_("短信验证码"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}),
                           help_text=_("先填写手机号并点“获取验证码”"))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，包含字母和数字"))
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    # PIPL Art. 14, 17: the notice shown above the form; its text and version are stored with
    # the registration (members.privacy)
    consent = forms.BooleanField(label=_("我已阅读并同意上述个人信息处理规则。"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data
