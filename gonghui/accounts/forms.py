from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.roles import Role


class LoginForm(AuthenticationForm):
    """Password, then the TOTP code for users who turned two-factor sign-in on."""

    otp_token = forms.CharField(
        label=_("动态口令"), required=False, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("已启用两步验证的账户请填写验证器中的 6 位数字。"),
    )

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败 5 次将锁定该账户 30 分钟。"),
        "inactive": _("该账户已停用。"),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        if user is not None:
            devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
            if devices:
                token = (cleaned.get("otp_token") or "").strip()
                if not token:
                    raise forms.ValidationError(_("该账户已启用两步验证，请输入动态口令。"),
                                                code="otp_required")
                device = next((d for d in devices if d.verify_token(token)), None)
                if device is None:
                    raise forms.ValidationError(_("动态口令不正确或已过期。"), code="otp_invalid")
                self.otp_device = device
        return cleaned


def role_choices() -> list[tuple[str, Any]]:
    """No role is preselected (issue 12 item 3): the cadre picks one, and an invalid form keeps
    the pick instead of falling back to the first, most powerful role."""
    return [("", _("请选择角色")), *Role.choices]


class RoleAssignForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    org_code = forms.CharField(label=_("组织"), max_length=40,
                               error_messages={"required": _("请选择组织。")})
    role = forms.ChoiceField(label=_("角色"), choices=role_choices,
                             error_messages={"required": _("请选择要授予的角色。")})


class TOTPConfirmForm(forms.Form):
    token = forms.CharField(label=_("动态口令"), max_length=8)


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=128)
    org_code = forms.CharField(label=_("组织"), max_length=40,
                               error_messages={"required": _("请选择组织。")})
    role = forms.ChoiceField(label=_("角色"), choices=role_choices,
                             error_messages={"required": _("请选择要授予的角色。")})
