from __future__ import annotations

from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.forms import LoginForm, RoleAssignForm, TOTPConfirmForm, UserCreateForm
from gonghui.accounts.models import RoleAssignment, User
from gonghui.accounts.roles import Role
from gonghui.accounts.scoping import can, capabilities_anywhere, scope
from gonghui.accounts.services import role_assign, role_revoke, user_create
from gonghui.audit.services import audit_record
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.orgs.permissions import access_org


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    if "role.assign" not in capabilities_anywhere(request.user):
        raise Forbidden()
    queryset = scope(
        RoleAssignment.objects.select_related("user", "org", "granted_by"),
        request.user, "role.assign", path_field="org__path",
    ).order_by("org__path", "user__username")
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(user__username__icontains=q) | queryset.filter(
            org__name__icontains=q
        )
    role = request.GET.get("role", "")
    if role:
        queryset = queryset.filter(role=role)
    form = RoleAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                raise ApplicationError(_("用户不存在。"))
            org = access_org(request.user, form.cleaned_data["org_code"].strip().upper())
            role_assign(user=user, org=org, role=form.cleaned_data["role"], actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已授权。"))
            return redirect("accounts:roles")
    return render(request, "accounts/roles.html", {
        "page": paginate(request, queryset), "form": form, "q": q, "role": role,
        "roles": Role.choices, "qs": querystring_without_page(request),
    })


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    """Create an account with its first role: the creator must hold role.assign at that org."""
    if "role.assign" not in capabilities_anywhere(request.user):
        raise Forbidden()
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                org = access_org(request.user, data["org_code"].strip().upper())
                if not can(request.user, org, "role.assign"):
                    raise Forbidden()
                user = user_create(username=data["username"], password=data["password"],
                                   actor=request.user, display_name=data["display_name"],
                                   phone=data["phone"])
                role_assign(user=user, org=org, role=data["role"], actor=request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建用户“{name}”。").format(name=user.username))
            return redirect("accounts:roles")
    return render(request, "accounts/user_new.html", {"form": form})


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        scope(RoleAssignment.objects.select_related("org", "user"), request.user, "role.assign",
              path_field="org__path"),
        pk=pk,
    )
    role_revoke(assignment=assignment, actor=request.user)
    messages.success(request, _("已撤销授权。"))
    return redirect("accounts:roles")


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in for cadres: scan the QR code, confirm with one code."""
    user = cast(User, request.user)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    ) if confirmed is None else (confirmed, False)
    form = TOTPConfirmForm(request.POST or None)
    if confirmed is None and request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(actor=user, action="totp.enable", obj=user)
            otp_login(request, device)
            messages.success(request, _("两步验证已启用，今后登录需要输入动态口令。"))
            return redirect("accounts:totp")
        form.add_error("token", _("动态口令不正确，请重试。"))
    qr_svg = None
    if confirmed is None:
        qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/totp.html", {
        "confirmed": confirmed, "device": device, "form": form, "qr_svg": qr_svg,
    })


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    grants = RoleAssignment.objects.filter(user=cast(User, request.user)).select_related("org")
    return render(request, "accounts/profile.html", {"grants": grants})
