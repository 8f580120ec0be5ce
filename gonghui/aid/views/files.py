"""Pages of the case files: list, open, detail, edit, ID reveal, and the due lists."""

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
from gonghui.aid import nextstep, rules, selectors
from gonghui.aid.forms import FileEditForm, FileNewForm, RevealForm
from gonghui.aid.models import Cause, FileStatus, HardshipFile, Need
from gonghui.aid.permissions import access_aid_org, access_file
from gonghui.aid.services import files as svc
from gonghui.aid.services.files import EDITABLE_STATUSES
from gonghui.aid.services.watch import exit_check
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service
from gonghui.orgs.models import Org
from gonghui.orgs.picker import filter_org


def _within(request: HttpRequest) -> Org | None:
    """The `?org=` filter: picked in the org picker, or a code or name typed (issue 12)."""
    org, problem = filter_org(viewer=request.user, text=request.GET.get("org", ""),
                              purpose="aid",
                              access=lambda code: access_aid_org(request.user, code))
    if problem:
        messages.error(request, problem)
    return org


@login_required
def file_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_READ)
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
        "can_open": has_capability(request.user, Capability.AID_WRITE), "tab": "files",
    })


@login_required
def file_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_WRITE)
    form = FileNewForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = selectors.applicant_lookup(viewer=request.user, number=data["id_number"])
        if membership is None:
            form.add_error("id_number", _("在您管辖的工会中没有找到该身份证号码的在册会员。"))
        else:
            outcome = run_service(request, lambda: svc.file_open(
                person=membership.person, actor=request.user, address=data["address"],
                phone=data["phone"], work=data["work"]), form=form)
            if outcome.ok and outcome.value is not None:
                file = outcome.value
                messages.success(request, _("已为 {name} 家庭建档，请补充家庭成员、收入和致困原因。").format(
                    name=file.applicant_name))
                return redirect("aid:file", file.pk)
    existing = outcome.error.extra.get("existing_file_url") if outcome and outcome.error else None
    return render(request, "aid/file_new.html", {"form": form, "existing": existing,
                                                 "tab": "files"},
                  status=form_status(form, outcome))


@login_required
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return file_page(request, access_file(request.user, pk))


def file_page(request: HttpRequest, file: HardshipFile, *, status: int = 200) -> HttpResponse:
    """The file page; a refused button action (verify, reopen…) shows it again with the
    refusal's status (400, or 409 for a conflict) and its message."""
    can_write = has_capability(request.user, Capability.AID_WRITE, file.union)
    exit_ok, exit_reason = exit_check(file) if file.status == FileStatus.ACTIVE else (False, "")
    can_reveal = has_capability(request.user, Capability.AID_REVEAL, file.union)
    return render(request, "aid/file_detail.html", {
        "file": file, **selectors.file_parts(file), "can_write": can_write,
        "editable": can_write and file.status in EDITABLE_STATUSES,
        "can_verify": file.status == FileStatus.SUBMITTED
        and svc.verifier_problem(request.user, file) is None,
        "next_step": nextstep.file_next(request.user, file)
        if file.status == FileStatus.SUBMITTED else None,
        "can_reveal": can_reveal, "reveal_form": RevealForm() if can_reveal else None,
        "exit_ok": exit_ok, "exit_reason": exit_reason,
        "proposal_label": rules.category_label(file.proposed_category),
        "need_choices": Need.choices, "tab": "files",
    }, status=status)


def after_button(request: HttpRequest, file: HardshipFile, outcome: Outcome[Any]
                 ) -> HttpResponse:
    """After a button action on the file (verify, reopen, remove a row): back to the file
    page, or the page again with the refusal's message and status."""
    if outcome.ok:
        return redirect("aid:file", file.pk)
    return file_page(request, access_file(request.user, file.pk), status=outcome.status)


@login_required
def file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    file = access_file(request.user, pk, write=True)
    initial = {name: getattr(file, name) for name in svc.FILE_FIELDS}
    initial["causes"] = list(file.causes.values_list("cause", flat=True))
    form = FileEditForm(posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        causes = data.pop("causes")
        outcome = run_service(request, lambda: svc.file_update(
            file=file, actor=request.user, causes=causes, **data), form=form,
            success=_("已保存。"))
        if outcome.ok:
            return redirect("aid:file", file.pk)
    return render(request, "aid/form.html", {
        "form": form, "file": file, "title": _("编辑档案：致困原因、住房与需求"), "tab": "files"},
        status=form_status(form, outcome))


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the household's unmasked ID numbers for the purpose the cadre states (查看用途).
    The reveal service decides everything — aid.reveal (403 without it), a purpose (400
    without one) — and logs the read before anything is shown."""
    file = access_file(request.user, pk)
    form = RevealForm(request.POST)
    outcome = run_service(request, lambda: svc.household_ids_reveal(
        file=file, actor=request.user, purpose=request.POST.get("purpose", "")[:255]),
        form=form)
    return render(request, "aid/_reveal.html", {"file": file, "pairs": outcome.value,
                                                "form": form},
                  status=outcome.status)


@login_required
def reviews_due(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_READ)
    queryset = selectors.review_due(viewer=request.user, within=_within(request))
    return render(request, "aid/due.html", {
        "page": paginate(request, queryset), "qs": querystring_without_page(request),
        "kind": "review", "tab": "reviews", "params": {"org": request.GET.get("org", "")},
    })


@login_required
def followups_due(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_READ)
    queryset = selectors.followup_due(viewer=request.user, within=_within(request))
    return render(request, "aid/due.html", {
        "page": paginate(request, queryset), "qs": querystring_without_page(request),
        "kind": "followup", "tab": "followups", "params": {"org": request.GET.get("org", "")},
    })
