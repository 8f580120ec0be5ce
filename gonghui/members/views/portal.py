"""The member portal (phone first): register, apply to the union that covers you, follow the
application, see and download the e-card, ask for a transfer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.views import form_status, run_service
from gonghui.members import phone_check, selectors, services
from gonghui.members.forms import ApplyForm, ReasonForm, RegisterForm
from gonghui.members.mydata import as_json, my_data
from gonghui.members.permissions import own_application
from gonghui.members.privacy import notice_text
from gonghui.members.services import identity
from gonghui.members.validation import clean_phone

CARD_SALT = "gonghui.members.card"
BASIS_LABELS = {
    "employer": "本单位工会",
    "no_union": "单位未建工会（两非一无）",
    "new_employment": "新就业形态劳动者",
}


def portal_home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "members/portal/welcome.html")
    person = selectors.portal_person(request.user)
    applications = selectors.portal_applications(request.user, limit=10)
    transfers = selectors.portal_transfers(person, limit=5)
    membership = selectors.held_membership(person)
    return render(request, "members/portal/home.html", {
        "person": person, "membership": membership, "applications": applications,
        "transfers": transfers,
        "open_application": any(a.status == "submitted" for a in applications),
    })


def _send_phone_code(request: HttpRequest) -> HttpResponse:
    """The “获取验证码” button: text a code to the number typed, show the form again."""
    form = RegisterForm(initial={k: request.POST.get(k, "") for k in ("name", "phone")})
    status = 200
    try:
        phone = clean_phone(request.POST.get("phone", ""))
        code = phone_check.send_code(request.session, phone)
    except ApplicationError as exc:
        form = RegisterForm(request.POST)
        form.is_valid()
        form.add_error("phone" if exc.code not in ("code_too_soon",) else "code", exc.message)
        status = 400
    else:
        messages.info(request, _("验证码已发送至 {phone}，10 分钟内有效。").format(
            phone=phone[:3] + "****" + phone[-4:]))
        if settings.DEBUG:  # the demo has no SMS gateway: show the code it would have sent
            messages.info(request, _("演示环境：验证码为 {code}。").format(code=code))
    return render(request, "members/portal/register.html",
                  {"form": form, "notice": notice_text()}, status=status)


def portal_register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("members:portal")
    if request.method == "POST" and "send_code" in request.POST:
        return _send_phone_code(request)
    form = RegisterForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def register() -> Any:
            phone = clean_phone(data["phone"])
            phone_check.check_code(request.session, phone, data["code"])
            return services.portal_register(name=data["name"], phone=phone,
                                            password=data["password"], consent=data["consent"])

        outcome = run_service(request, register, form=form)
        if outcome.ok and outcome.value is not None:
            user = outcome.value
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。您的登录名是手机号 {phone}。").format(
                phone=user.username))
            return redirect("members:portal_apply")
    return render(request, "members/portal/register.html",
                  {"form": form, "notice": notice_text()}, status=form_status(form, outcome))


@login_required
def portal_apply(request: HttpRequest) -> HttpResponse:
    """Step 1: find the union. By employer (its union, or for 两非一无 the street/park union of
    its area), or in the directory of area unions for new-employment workers."""
    basis = request.GET.get("basis", "employer")
    q = request.GET.get("q", "").strip()
    district = request.GET.get("district", "").strip()
    employer_hits = selectors.employer_unions(q) if basis == "employer" and q else []
    unions = []
    if basis != "employer" or (q and not employer_hits):
        unions = list(selectors.member_unions(
            q=q, kind="area" if basis != "employer" else "", district=district)[:30])
    return render(request, "members/portal/apply_pick.html", {
        "basis": basis, "q": q, "district": district, "employer_hits": employer_hits,
        "unions": unions, "districts": selectors.districts(), "bases": BASIS_LABELS,
        "target": "members:portal_apply_form",
    })


@login_required
def portal_apply_form(request: HttpRequest, code: str) -> HttpResponse:
    union = selectors.member_unions().filter(code=code).first()
    if union is None:
        raise NotFound()
    person = selectors.portal_person(request.user)
    initial = {"name": getattr(request.user, "display_name", ""),
               "phone": getattr(request.user, "phone", ""),
               "basis": request.GET.get("basis", "employer"),
               "employer_name": request.GET.get("employer", "")[:200]}
    if person is not None:
        initial.update(name=person.name, phone=person.phone or initial["phone"],
                       employer_name=initial["employer_name"] or person.employer_name)
    form = ApplyForm(request.POST if request.method == "POST" else None, initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        basis = BASIS_LABELS.get(form.cleaned_data["basis"], "")

        try:
            identity.join_attempt(user=request.user, ip=client_ip(request))
        except identity.TooManyAttempts as exc:
            form.add_error(None, exc.message)
            return render(request, "members/portal/apply_form.html",
                          {"form": form, "union": union}, status=exc.status_code)
        outcome = run_service(request, lambda: services.application_submit(
            union=union, fields=form.person_fields(), actor=request.user, basis=basis),
            form=form, success=_("申请已提交，工会审批后会在这里通知您。"))
        if outcome.ok and outcome.value is not None:
            return redirect("members:portal_application", outcome.value.pk)
    return render(request, "members/portal/apply_form.html", {"form": form, "union": union},
                  status=form_status(form, outcome))


@login_required
def portal_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request.user, pk)
    return render(request, "members/portal/application.html", {
        "a": application, "events": application.events.order_by("at", "id"),
        "higher_union": services.appeal_union(application),
    })


@login_required
@require_POST
def portal_application_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The declined applicant asks the next union up to review the decision (复核), once."""
    application = own_application(request.user, pk)
    outcome = run_service(request, lambda: services.application_appeal(
        application=application, actor=request.user, reason=request.POST.get("reason", "")))
    if not outcome.ok:
        response = portal_application(request, pk)
        response.status_code = outcome.status
        return response
    return redirect("members:portal_application", pk)


@login_required
@require_POST
def portal_application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request.user, pk)
    outcome = run_service(request, lambda: services.application_withdraw(
        application=application, actor=request.user))
    if not outcome.ok:
        response = portal_application(request, pk)
        response.status_code = outcome.status
        return response
    return redirect("members:portal_application", pk)


def _card_context(request: HttpRequest, *, png: bool = False) -> dict:
    """The e-card's context; the PNG of the QR code only for the PDF (the page shows the SVG:
    the PNG's encoding was a sixth of the page's time under load)."""
    import segno  # the QR library: loaded only by the card pages

    person = selectors.portal_person(request.user)
    membership = selectors.held_membership(person)
    if membership is None:
        raise NotFound(_("您目前没有会籍，还没有电子会员证。"))
    token = signing.dumps({"c": membership.card_number}, salt=CARD_SALT, compress=True)
    qr = segno.make(f"GONGHUI-CARD:{token}", error="m")
    context = {"person": person, "m": membership, "verify_code": token,
               "qr_svg": qr.svg_inline(scale=4, dark="#222")}
    if png:
        context["qr_png"] = qr.png_data_uri(scale=6)
    return context


@login_required
def portal_card(request: HttpRequest) -> HttpResponse:
    return render(request, "members/portal/card.html", _card_context(request))


@login_required
def portal_card_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML  # heavy optional library (cairo, pango): only for the PDF

    context = _card_context(request, png=True)
    html = render_to_string("members/portal/card_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="card-{context["m"].card_number}.pdf"'
    return response


@login_required
def portal_transfer(request: HttpRequest) -> HttpResponse:
    """A member asks to move to the union of their new employer (from the new union's side)."""
    person = selectors.portal_person(request.user)
    if person is None or selectors.held_membership(person) is None:
        raise NotFound(_("您目前没有会籍，请直接申请入会。"))
    code = request.POST.get("to_union") or request.GET.get("union", "")
    status = 200
    if request.method == "POST":
        form = ReasonForm(request.POST)
        union = selectors.member_unions().filter(code=code).first() if code else None
        if union is None:
            messages.error(request, _("请选择要转入的工会。"))
            status = 400
        elif form.is_valid():
            outcome = run_service(request, lambda: services.transfer_request(
                person=person, to_union=union, actor=request.user,
                reason=form.cleaned_data["reason"],
                new_employer=request.POST.get("new_employer", "")),
                success=_("转会申请已提交，等待“{name}”接收。").format(name=union.name))
            if outcome.ok:
                return redirect("members:portal")
            status = outcome.status
        else:
            status = 400
    q = request.GET.get("q", "").strip()
    return render(request, "members/portal/transfer.html", {
        "q": q, "employer_hits": selectors.employer_unions(q) if q else [],
        "unions": list(selectors.member_unions(q=q)[:30]) if q else [],
        "chosen": selectors.member_unions().filter(code=code).first() if code else None,
        "form": ReasonForm(),
    }, status=status)


@login_required
def card_verify(request: HttpRequest) -> HttpResponse:
    """A cadre scans an e-card: the signed code gives the card number; the member opens only if
    the cadre may see them."""
    require_capability(request.user, Capability.MEMBER_READ)
    raw = request.GET.get("code", "").strip().removeprefix("GONGHUI-CARD:")
    try:
        card = signing.loads(raw, salt=CARD_SALT)["c"]
    except (signing.BadSignature, KeyError, TypeError):
        messages.error(request, _("会员证二维码无效。"))
        return redirect("members:list")
    membership = selectors.member_list(viewer=request.user, q=card, status="all").first()
    if membership is None:
        raise NotFound()
    return redirect("members:detail", membership.pk)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address as the server saw it (a proxy in front must pass REMOTE_ADDR
    through, e.g. gunicorn's --forwarded-allow-ips; X-Forwarded-For is not trusted here)."""
    return request.META.get("REMOTE_ADDR") or None


@login_required
def portal_my_data(request: HttpRequest) -> HttpResponse:
    """我的数据 (PIPL Art. 45): what the union holds about the signed-in worker."""
    return render(request, "members/portal/my_data.html", {
        "sections": my_data(request.user), "notice": notice_text()})


@login_required
def portal_my_data_export(request: HttpRequest) -> HttpResponse:
    """The same as a JSON file (a copy the worker keeps)."""
    now = clock.now()
    response = JsonResponse(as_json(request.user, at=now), encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="my-data-{now:%Y%m%d}.json"'
    response["Cache-Control"] = "no-store"
    return response
