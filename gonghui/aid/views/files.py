"""Pages of the case files: list, open, detail, edit, ID reveal, and the due lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can, capabilities_anywhere
from gonghui.aid import rules, selectors
from gonghui.aid.forms import FileEditForm, FileNewForm
from gonghui.aid.models import Cause, FileStatus, Need
from gonghui.aid.permissions import access_aid_org, access_file
from gonghui.aid.services import files as svc
from gonghui.aid.services.files import EDITABLE_STATUSES
from gonghui.aid.services.watch import exit_check
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page


def _within(request: HttpRequest):
    code = request.GET.get("org", "").strip()
    return access_aid_org(request.user, code) if code else None


@login_required
def file_list(request: HttpRequest) -> HttpResponse:
    if "aid.read" not in capabilities_anywhere(request.user):
        raise NotFound()
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "category", "cause",
                                                          "org")}
    flagged = request.GET.get("flagged") == "1"
    queryset = selectors.file_list(viewer=request.user, q=params["q"], status=params["status"],
                                   category=params["category"], cause=params["cause"],
                                   within=_within(request), flagged=flagged)
    return render(request, "aid/file_list.html", {
        "page": paginate(request, queryset), "params": params, "flagged": flagged,
        "statuses": FileStatus.choices, "categories": rules.Category.choices,
        "causes": Cause.choices, "qs": querystring_without_page(request),
        "can_open": "aid.write" in capabilities_anywhere(request.user), "tab": "files",
    })


@login_required
def file_new(request: HttpRequest) -> HttpResponse:
    if "aid.write" not in capabilities_anywhere(request.user):
        raise NotFound()
    form = FileNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = selectors.applicant_lookup(viewer=request.user,
                                                number=form.cleaned_data["id_number"])
        if membership is None:
            form.add_error("id_number", _("在您管辖的工会中没有找到该身份证号码的在册会员。"))
        else:
            try:
                file = svc.file_open(person=membership.person, actor=request.user,
                                     address=form.cleaned_data["address"],
                                     phone=form.cleaned_data["phone"],
                                     work=form.cleaned_data["work"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                if exc.extra.get("existing_file_url"):
                    return render(request, "aid/file_new.html", {
                        "form": form, "existing": exc.extra["existing_file_url"],
                        "tab": "files"}, status=409)
            else:
                messages.success(request, _("已为 {name} 家庭建档，请补充家庭成员、收入和致困原因。").format(
                    name=file.applicant_name))
                return redirect("aid:file", file.pk)
    return render(request, "aid/file_new.html", {"form": form, "tab": "files"})


@login_required
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk)
    can_write = can(request.user, file.union, "aid.write")
    exit_ok, exit_reason = exit_check(file) if file.status == FileStatus.ACTIVE else (False, "")
    return render(request, "aid/file_detail.html", {
        "file": file, **selectors.file_parts(file), "can_write": can_write,
        "editable": can_write and file.status in EDITABLE_STATUSES,
        "can_verify": file.status == FileStatus.SUBMITTED
        and svc.verifier_problem(request.user, file) is None,
        "can_reveal": can(request.user, file.union, "aid.reveal"),
        "exit_ok": exit_ok, "exit_reason": exit_reason,
        "proposal_label": rules.category_label(file.proposed_category),
        "need_choices": Need.choices, "tab": "files",
    })


@login_required
def file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    initial = {name: getattr(file, name) for name in svc.FILE_FIELDS}
    initial["causes"] = list(file.causes.values_list("cause", flat=True))
    form = FileEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        causes = data.pop("causes")
        try:
            svc.file_update(file=file, actor=request.user, causes=causes, **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("aid:file", file.pk)
    return render(request, "aid/form.html", {
        "form": form, "file": file, "title": _("编辑档案：致困原因、住房与需求"), "tab": "files"})


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the household table with unmasked ID numbers, after logging the read."""
    file = access_file(request.user, pk)
    pairs = svc.household_ids_reveal(file=file, actor=request.user,
                                     purpose=request.POST.get("purpose", "") or _("核对家庭成员身份"))
    return render(request, "aid/_reveal.html", {"file": file, "pairs": pairs})


@login_required
def reviews_due(request: HttpRequest) -> HttpResponse:
    if "aid.read" not in capabilities_anywhere(request.user):
        raise NotFound()
    queryset = selectors.review_due(viewer=request.user, within=_within(request))
    return render(request, "aid/due.html", {
        "page": paginate(request, queryset), "qs": querystring_without_page(request),
        "kind": "review", "tab": "reviews", "params": {"org": request.GET.get("org", "")},
    })


@login_required
def followups_due(request: HttpRequest) -> HttpResponse:
    if "aid.read" not in capabilities_anywhere(request.user):
        raise NotFound()
    queryset = selectors.followup_due(viewer=request.user, within=_within(request))
    return render(request, "aid/due.html", {
        "page": paginate(request, queryset), "qs": querystring_without_page(request),
        "kind": "followup", "tab": "followups", "params": {"org": request.GET.get("org", "")},
    })
