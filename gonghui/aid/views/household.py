"""Pages for a file's household, incomes and documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.aid.forms import DocumentForm, IncomeForm, MemberForm
from gonghui.aid.models import Relation
from gonghui.aid.permissions import access_document, access_file, access_income, access_member
from gonghui.aid.services import files as svc
from gonghui.core.errors import ApplicationError


def _page(request, form, file, title, **extra) -> HttpResponse:
    return render(request, "aid/form.html", {"form": form, "file": file, "title": title,
                                             "tab": "files", **extra})


@login_required
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            svc.member_add(file=file, actor=request.user, id_number=data.pop("id_number"),
                           **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            if exc.extra.get("existing_file_url"):
                return _page(request, form, file, _("添加家庭成员"),
                             existing=exc.extra["existing_file_url"])
        else:
            messages.success(request, _("已添加家庭成员。"))
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("添加家庭成员"))


@login_required
def member_edit(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    member = access_member(request.user, file, mid)
    is_self = member.relation == Relation.SELF
    initial = {name: getattr(member, name) for name in svc.MEMBER_FIELDS}
    form = MemberForm(request.POST or None, initial=initial, editing=True, editing_self=is_self)
    if request.method == "POST" and form.is_valid():
        try:
            svc.member_update(member=member, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("编辑家庭成员：{name}").format(name=member.name))


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    member = access_member(request.user, file, mid)
    try:
        svc.member_remove(member=member, actor=request.user,
                          reason=request.POST.get("reason", "")[:500])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除家庭成员。"))
    return redirect("aid:file", file.pk)


@login_required
def income_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    household = list(file.household.all())
    form = IncomeForm(request.POST or None, members=household)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = next((m for m in household if str(m.pk) == data["member"]), None)
        try:
            svc.income_add(file=file, actor=request.user, kind=data["kind"],
                           monthly_amount=data["monthly_amount"], member=member,
                           description=data["description"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已添加收入。"))
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("添加收入来源"))


@login_required
@require_POST
def income_remove(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    income = access_income(request.user, file, iid)
    try:
        svc.income_remove(income=income, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除收入。"))
    return redirect("aid:file", file.pk)


@login_required
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.document_add(file=file, actor=request.user, kind=form.cleaned_data["kind"],
                             upload=form.cleaned_data["content"],
                             description=form.cleaned_data["description"])
        except ApplicationError as exc:
            form.add_error("content", exc.message)
        else:
            messages.success(request, _("已上传。"))
            return redirect("aid:file", file.pk)
    return _page(request, form, file, _("上传照片或材料"), multipart=True)


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
