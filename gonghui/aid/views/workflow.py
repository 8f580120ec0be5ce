"""Pages that move a file: submit, verify / return / reject, close, visit, review, exit,
relapse follow-up and reopening, and recording assistance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
from gonghui.aid.models import Beneficiary, BeneficiaryStatus, ProgrammeStatus
from gonghui.aid.permissions import access_file
from gonghui.aid.services import files as svc
from gonghui.aid.services import watch
from gonghui.aid.services.assistance import assistance_record
from gonghui.core.errors import ApplicationError


def _proposal(file) -> str:
    return rules.category_label(file.proposed_category)


def _form(request, form, file, title, *, intro: str = "", submit: str = "") -> HttpResponse:
    return render(request, "aid/form.html", {
        "form": form, "file": file, "title": title, "intro": intro,
        "submit_label": submit or _("提交"), "tab": "files"})


def _done(request, file, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("aid:file", file.pk)


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = CategoryForm(request.POST or None, initial={"category": file.proposed_category})
    if request.method == "POST" and form.is_valid():
        try:
            svc.file_submit(file=file, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, file, _("已提交街道/区县工会核实。"))
    intro = _("家庭月人均收入 {pc} 元；系统建议类别：{label}。请确认困难类别后提交核实。").format(
        pc=file.per_capita_income, label=_proposal(file))
    return _form(request, form, file, _("确认类别并提交核实"), intro=intro, submit=_("提交核实"))


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk)
    try:
        svc.file_verify(file=file, actor=request.user, note=request.POST.get("note", "")[:2000])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("aid:file", file.pk)
    return _done(request, file, _("已核实，档案转为在档帮扶。"))


def _reason_page(request, pk: int, *, action, title: str, done: str, write: bool = False):
    file = access_file(request.user, pk, write=write)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(file=file, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, file, done)
    return _form(request, form, file, title)


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
                        done=_("档案已销档。"), write=True)


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.visit_record(file=file, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, file, _("已登记走访。"))
    return _form(request, form, file, _("登记走访"))


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = ReviewForm(request.POST or None, initial={"category": file.proposed_category
                                                     or file.category})
    if request.method == "POST" and form.is_valid():
        try:
            watch.review_record(file=file, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, file, _("已完成复核。"))
    intro = _("当前家庭月人均收入 {pc} 元；确认类别：{cat}；系统建议：{label}。请先更新家庭成员和收入，再复核。").format(
        pc=file.per_capita_income, cat=file.get_category_display(), label=_proposal(file))
    return _form(request, form, file, _("年度复核"), intro=intro)


@login_required
def exit_(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            watch.file_exit(file=file, actor=request.user, evidence=form.cleaned_data["evidence"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, file, _("已办理解困脱困，转入返贫监测。"))
    ok, reason = watch.exit_check(file)
    intro = reason if not ok else _("家庭月人均收入已持续高于困难线，可办理脱困。")
    return _form(request, form, file, _("解困脱困"), intro=intro, submit=_("确认脱困"))


@login_required
def followup(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = FollowupForm(request.POST or None, initial={"household_size": file.household_size})
    if request.method == "POST" and form.is_valid():
        try:
            _assessment, relapse = watch.followup_record(file=file, actor=request.user,
                                                         **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if relapse:
                messages.warning(request, _("回访发现家庭月人均收入低于困难线，可一键重新开档。"))
                return redirect("aid:file", file.pk)
            return _done(request, file, _("已登记回访。"))
    return _form(request, form, file, _("返贫回访"))


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    try:
        watch.file_reopen(file=file, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("aid:file", file.pk)
    return _done(request, file, _("已重新开档，请更新家庭情况后提交核实。"))


@login_required
def assistance_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    beneficiaries = list(Beneficiary.objects.filter(
        file=file, status=BeneficiaryStatus.LISTED, programme__status=ProgrammeStatus.APPROVED,
    ).select_related("programme"))
    form = AssistanceForm(request.POST or None, beneficiaries=beneficiaries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        beneficiary = next((b for b in beneficiaries if str(b.pk) == data["beneficiary"]), None)
        kind = beneficiary.programme.assistance_kind if beneficiary else data["kind"]
        amount = beneficiary.amount if beneficiary else (data["amount"] or 0)
        try:
            assistance_record(file=file, actor=request.user, kind=kind, amount=amount,
                              idempotency_key=data["idempotency_key"], given_on=data["given_on"],
                              description=data["description"], beneficiary=beneficiary)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, file, _("已登记帮扶。"))
    return _form(request, form, file, _("登记帮扶"),
                 intro=_("现金、助学金和医疗救助将记入支出单位的经费账（维权支出—困难职工帮扶）。"))
