"""Pages that move a file: submit, verify / return / reject, close, visit, review, exit,
relapse follow-up and reopening, and recording assistance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.aid import rules
from gonghui.aid.forms import (
    AssistanceForm,
    CategoryForm,
    ExitForm,
    FollowupForm,
    ReasonForm,
    ReviewForm,
    VisitForm,
)
from gonghui.aid.models import Beneficiary, BeneficiaryStatus, HardshipFile, ProgrammeStatus
from gonghui.aid.permissions import access_file
from gonghui.aid.services import files as svc
from gonghui.aid.services import watch
from gonghui.aid.services.assistance import assistance_record
from gonghui.aid.views.files import after_button
from gonghui.core.views import Outcome, form_status, posted, run_service


def _proposal(file: HardshipFile) -> str:
    return rules.category_label(file.proposed_category)


def _form(request: HttpRequest, form: Form, file: HardshipFile, title: str, *,
          outcome: Outcome[Any] | None = None, intro: str = "", submit: str = ""
          ) -> HttpResponse:
    """The action's form again: 400 when invalid or refused (409 for a conflict)."""
    return render(request, "aid/form.html", {
        "form": form, "file": file, "title": title, "intro": intro,
        "submit_label": submit or _("提交"), "tab": "files"}, status=form_status(form, outcome))


def _posted(request: HttpRequest, form: Form, call: Callable[[], Any], done: str
            ) -> Outcome[Any] | None:
    """Run the service for a valid POST of `form`; None when there is nothing to run."""
    if request.method != "POST" or not form.is_valid():
        return None
    return run_service(request, call, form=form, success=done)


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = CategoryForm(posted(request), initial={"category": file.proposed_category})
    outcome = _posted(request, form, lambda: svc.file_submit(
        file=file, actor=request.user, **form.cleaned_data), _("已提交街道/区县工会核实。"))
    if outcome is not None and outcome.ok:
        return redirect("aid:file", file.pk)
    intro = _("家庭月人均收入 {pc} 元；系统建议类别：{label}。请确认困难类别后提交核实。").format(
        pc=file.per_capita_income, label=_proposal(file))
    return _form(request, form, file, _("确认类别并提交核实"), outcome=outcome, intro=intro,
                 submit=_("提交核实"))


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk)
    outcome = run_service(request, lambda: svc.file_verify(
        file=file, actor=request.user, note=request.POST.get("note", "")[:2000]),
        success=_("已核实，档案转为在档帮扶。"))
    return after_button(request, file, outcome)


def _reason_page(request: HttpRequest, pk: int, *, action: Callable[..., Any], title: str,
                 done: str) -> HttpResponse:
    # aid.write over the file (a verifier holds it above); the service adds its own rules
    file = access_file(request.user, pk, write=True)
    form = ReasonForm(posted(request))
    outcome = _posted(request, form, lambda: action(
        file=file, actor=request.user, reason=form.cleaned_data["reason"]), done)
    if outcome is not None and outcome.ok:
        return redirect("aid:file", file.pk)
    return _form(request, form, file, title, outcome=outcome)


@login_required
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(request, pk, action=svc.file_return, title=_("退回修改"),
                        done=_("已退回基层工会修改。"))


@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(request, pk, action=svc.file_reject, title=_("不予建档"),
                        done=_("已不予建档。"))


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(request, pk, action=svc.file_close, title=_("销档"),
                        done=_("档案已销档。"))


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = VisitForm(posted(request))
    outcome = _posted(request, form, lambda: svc.visit_record(
        file=file, actor=request.user, **form.cleaned_data), _("已登记走访。"))
    if outcome is not None and outcome.ok:
        return redirect("aid:file", file.pk)
    return _form(request, form, file, _("登记走访"), outcome=outcome)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = ReviewForm(posted(request), initial={"category": file.proposed_category
                                                     or file.category})
    outcome = _posted(request, form, lambda: watch.review_record(
        file=file, actor=request.user, **form.cleaned_data), _("已完成复核。"))
    if outcome is not None and outcome.ok:
        return redirect("aid:file", file.pk)
    intro = _("当前家庭月人均收入 {pc} 元；确认类别：{cat}；系统建议：{label}。请先更新家庭成员和收入，再复核。").format(
        pc=file.per_capita_income, cat=file.get_category_display(), label=_proposal(file))
    return _form(request, form, file, _("年度复核"), outcome=outcome, intro=intro)


@login_required
def exit_(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = ExitForm(posted(request))
    outcome = _posted(request, form, lambda: watch.file_exit(
        file=file, actor=request.user, evidence=form.cleaned_data["evidence"]),
        _("已办理解困脱困，转入返贫监测。"))
    if outcome is not None and outcome.ok:
        return redirect("aid:file", file.pk)
    ok, reason = watch.exit_check(file)
    intro = reason if not ok else _("家庭月人均收入已持续高于困难线，可办理脱困。")
    return _form(request, form, file, _("解困脱困"), outcome=outcome, intro=intro,
                 submit=_("确认脱困"))


@login_required
def followup(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = FollowupForm(posted(request), initial={"household_size": file.household_size})
    outcome = _posted(request, form, lambda: watch.followup_record(
        file=file, actor=request.user, **form.cleaned_data), "")
    if outcome is not None and outcome.ok and outcome.value is not None:
        _assessment, relapse = outcome.value
        if relapse:
            messages.warning(request, _("回访发现家庭月人均收入低于困难线，可一键重新开档。"))
        else:
            messages.success(request, _("已登记回访。"))
        return redirect("aid:file", file.pk)
    return _form(request, form, file, _("返贫回访"), outcome=outcome)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    outcome = run_service(request, lambda: watch.file_reopen(file=file, actor=request.user),
                          success=_("已重新开档，请更新家庭情况后提交核实。"))
    return after_button(request, file, outcome)


@login_required
def assistance_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    beneficiaries = list(Beneficiary.objects.filter(
        file=file, status=BeneficiaryStatus.LISTED, programme__status=ProgrammeStatus.APPROVED,
    ).select_related("programme"))
    form = AssistanceForm(posted(request), beneficiaries=beneficiaries)

    def record() -> Any:
        data = form.cleaned_data
        beneficiary = next((b for b in beneficiaries if str(b.pk) == data["beneficiary"]), None)
        return assistance_record(
            file=file, actor=request.user,
            kind=beneficiary.programme.assistance_kind if beneficiary else data["kind"],
            amount=beneficiary.amount if beneficiary else (data["amount"] or 0),
            idempotency_key=data["idempotency_key"], given_on=data["given_on"],
            description=data["description"], beneficiary=beneficiary)

    outcome = _posted(request, form, record, _("已登记帮扶。"))
    if outcome is not None and outcome.ok:
        return redirect("aid:file", file.pk)
    return _form(request, form, file, _("登记帮扶"), outcome=outcome,
                 intro=_("现金、助学金和医疗救助将记入支出单位的经费账（维权支出—困难职工帮扶）。"))
