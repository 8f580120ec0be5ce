from __future__ import annotations

import base64
from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gonghui.accounts import selectors, services
from gonghui.accounts.capabilities import Capability
from gonghui.accounts.forms import LoginForm, RoleAssignForm, TOTPConfirmForm, UserCreateForm
from gonghui.accounts.gates import require_capability
from gonghui.accounts.models import User
from gonghui.accounts.roles import Role
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service


class LoginView(auth_views.LoginView):
    """Password, then the TOTP code where the user turned it on. A wrong or incomplete form is
    shown again with 400 (the one status policy); a signed-in visitor is sent on."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/accounts/profile/"

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    """The grants in the viewer's subtrees, and the form that grants one more."""
    require_capability(request.user, Capability.ROLE_ASSIGN)
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    form = RoleAssignForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.role_grant(
            username=data["username"], org_code=data["org_code"], role=data["role"],
            actor=request.user), form=form, success=_("已授权。"))
        if outcome.ok:
            return redirect("accounts:roles")
    queryset = selectors.role_assignments(viewer=request.user, q=q, role=role)
    return render(request, "accounts/roles.html", {
        "page": paginate(request, queryset), "form": form, "q": q, "role": role,
        "roles": Role.choices, "qs": querystring_without_page(request),
    }, status=form_status(form, outcome))


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    """Create an account with its first role: the creator must hold role.assign at that org."""
    require_capability(request.user, Capability.ROLE_ASSIGN)
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.user_create_with_role(
            username=data["username"], password=data["password"], org_code=data["org_code"],
            role=data["role"], actor=request.user, display_name=data["display_name"],
            phone=data["phone"]), form=form)
        if outcome.ok and outcome.value is not None:
            user, _assignment = outcome.value
            messages.success(request, _("已创建用户“{name}”。").format(name=user.username))
            return redirect("accounts:roles")
    return render(request, "accounts/user_new.html", {"form": form},
                  status=form_status(form, outcome))


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.role_assignment(pk)
    services.role_revoke(assignment=assignment, actor=request.user)
    messages.success(request, _("已撤销授权。"))
    return redirect("accounts:roles")


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in for cadres: scan the QR code, confirm with one code."""
    user = cast(User, request.user)
    device, confirmed = services.totp_device(user)
    form = TOTPConfirmForm(request.POST if request.method == "POST" else None)
    outcome = None
    if not confirmed and request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.totp_confirm(
            user=user, device=device, token=form.cleaned_data["token"]), form=form,
            success=_("两步验证已启用，今后登录需要输入动态口令。"))
        if outcome.ok:
            otp_login(request, device)
            return redirect("accounts:totp")
    qr_svg = None if confirmed else segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/totp.html", {
        "confirmed": device if confirmed else None, "device": device, "form": form,
        "qr_svg": qr_svg,
        # for a phone that cannot scan its own screen: the key typed by hand, or the
        # otpauth:// link that opens the phone's authenticator app
        "manual_key": None if confirmed else _manual_key(device.bin_key),
        "config_url": None if confirmed else device.config_url,
    }, status=form_status(form, outcome))


def _manual_key(key: bytes) -> str:
    """The authenticator key as authenticator apps ask for it: base32, in groups of four."""
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"grants": selectors.grants_of(request.user)})
