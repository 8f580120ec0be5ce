"""Member self-service pages: the member's own page in the portal (phone with the SMS code,
address, education and skill level requests, withdrawal request; employer change goes to the
transfer page), and the cadre's queue of requests to confirm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.errors import NotFound
from gonghui.core.views import Outcome, run_service
from gonghui.members import phone_check, selectors
from gonghui.members.choices import Education, SkillLevel
from gonghui.members.models import SelfServiceRequest
from gonghui.members.services import selfservice
from gonghui.members.validation import clean_phone


def _contact(request: HttpRequest, person: Any) -> Any:
    """Phone (proven with the SMS code when it changes) and address, in one edit."""
    phone = request.POST.get("phone", "").strip()
    if phone and phone != person.phone:
        phone_check.check_code(request.session, clean_phone(phone), request.POST.get("code", ""))
    return selfservice.self_update_contact(
        actor=request.user, phone=phone or None, address=request.POST.get("address"))


def _act(request: HttpRequest, person: Any, action: str) -> Outcome[Any]:
    if action == "send_code":
        return run_service(request, lambda: phone_check.send_code(
            request.session, clean_phone(request.POST.get("phone", ""))),
            success=_("验证码已发送，请查看短信。"))
    if action == "contact":
        return run_service(request, lambda: _contact(request, person),
                           success=_("联系方式已更新。"))
    if action in ("education", "skill_level"):
        return run_service(request, lambda: selfservice.self_request(
            actor=request.user, kind=action, value=request.POST.get("value", "")),
            success=_("已提交，等待工会核实确认。"))
    return run_service(request, lambda: selfservice.self_request(
        actor=request.user, kind="withdraw", reason=request.POST.get("reason", "")),
        success=_("退会申请已提交，等待工会确认。"))


@login_required
def portal_selfservice(request: HttpRequest) -> HttpResponse:
    person = selectors.portal_person(request.user)
    membership = selectors.held_membership(person)
    if person is None or membership is None:
        raise NotFound(_("您目前没有会籍，请直接申请入会。"))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("send_code", "contact", "education", "skill_level", "withdraw"):
            messages.error(request, _("请选择要办理的事项。"))
            status = 400
        else:
            outcome = _act(request, person, action)
            if outcome.ok:
                return redirect("members:portal_selfservice")
            status = outcome.status
        person.refresh_from_db()
    mine = SelfServiceRequest.objects.filter(person=person).order_by("-created_at", "-id")[:10]
    return render(request, "members/portal/selfservice.html", {
        "person": person, "m": membership, "requests": mine,
        "educations": Education.choices, "skills": SkillLevel.choices,
    }, status=status)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_READ)
    rows = selfservice.pending_requests(viewer=request.user)[:500]
    return render(request, "members/selfservice_requests.html", {
        "rows": rows, "can_write": has_capability(request.user, Capability.MEMBER_WRITE)})


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("confirm", "reject"):
        raise NotFound()
    row = scope(SelfServiceRequest.objects.all(), request.user, Capability.MEMBER_READ,
                path_field="union_path").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    require_capability(request.user, Capability.MEMBER_WRITE, row.union)
    outcome = run_service(request, lambda: selfservice.self_request_decide(
        request=row, actor=request.user, confirm=action == "confirm",
        reason=request.POST.get("reason", "")[:500]),
        success=_("已确认。") if action == "confirm" else _("已退回，会员可以看到原因。"))
    if not outcome.ok:
        response = request_list(request)
        response.status_code = outcome.status
        return response
    return redirect("members:selfservice_requests")

