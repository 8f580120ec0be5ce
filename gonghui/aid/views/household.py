"""Pages for a file's household, incomes and documents."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.aid.forms import DocumentForm, IncomeForm, MemberForm
from gonghui.aid.models import HardshipFile, Relation
from gonghui.aid.permissions import access_document, access_file, access_income, access_member
from gonghui.aid.services import files as svc
from gonghui.aid.views.files import after_button
from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded


def _page(request: HttpRequest, form: Form, file: HardshipFile, title: str,
          outcome: Outcome[Any] | None = None, **extra: Any) -> HttpResponse:
    existing = outcome.error.extra.get("existing_file_url") if outcome and outcome.error else None
    return render(request, "aid/form.html", {"form": form, "file": file, "title": title,
                                             "existing": existing, "tab": "files", **extra},
                  status=form_status(form, outcome))


@login_required
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = MemberForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_service(request, lambda: svc.member_add(
            file=file, actor=request.user, id_number=data.pop("id_number"), **data),
            form=form, success=_("已添加家庭成员。"))
        if outcome.ok:
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("添加家庭成员"), outcome)


@login_required
def member_edit(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    member = access_member(request.user, file, mid)
    is_self = member.relation == Relation.SELF
    initial = {name: getattr(member, name) for name in svc.MEMBER_FIELDS}
    form = MemberForm(posted(request), initial=initial, editing=True, editing_self=is_self)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.member_update(
            member=member, actor=request.user, **form.cleaned_data), form=form,
            success=_("已保存。"))
        if outcome.ok:
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("编辑家庭成员：{name}").format(name=member.name), outcome)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    member = access_member(request.user, file, mid)
    outcome = run_service(request, lambda: svc.member_remove(
        member=member, actor=request.user, reason=request.POST.get("reason", "")[:500]),
        success=_("已删除家庭成员。"))
    return after_button(request, file, outcome)


@login_required
def income_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    household = list(file.household.all())
    form = IncomeForm(posted(request), members=household)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = next((m for m in household if str(m.pk) == data["member"]), None)
        outcome = run_service(request, lambda: svc.income_add(
            file=file, actor=request.user, kind=data["kind"],
            monthly_amount=data["monthly_amount"], member=member,
            description=data["description"]), form=form, success=_("已添加收入。"))
        if outcome.ok:
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("添加收入来源"), outcome)


@login_required
@require_POST
def income_remove(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    income = access_income(request.user, file, iid)
    outcome = run_service(request, lambda: svc.income_remove(income=income, actor=request.user),
                          success=_("已删除收入。"))
    return after_button(request, file, outcome)


@login_required
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = DocumentForm(posted(request), uploaded(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.document_add(
            file=file, actor=request.user, kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["content"], description=form.cleaned_data["description"]),
            form=form, success=_("已上传。"))
        if outcome.ok:
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("上传照片或材料"), outcome, multipart=True)


@login_required
def document(request: HttpRequest, pk: int, did: int) -> FileResponse:
    """The only way to a document's bytes: through the file's scope check."""
    file = access_file(request.user, pk)
    doc = access_document(request.user, file, did)
    response = FileResponse(doc.content.open("rb"), content_type=doc.content_type,
                            as_attachment=request.GET.get("download") == "1",
                            filename=doc.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
