"""Plan pages: the list, the import (upload → preview → save), a plan, its settings, exports."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.workplan import exports, selectors
from gonghui.workplan.forms import PlanSettingsForm, UploadForm, parsed_from_post
from gonghui.workplan.models import Department, DraftStatus, Plan, PlanDraft
from gonghui.workplan.parsing import ParsedPlan
from gonghui.workplan.permissions import (
    access_draft,
    access_plan,
    can_supervise,
    department_ids,
    require_issuer_page,
    require_workplan_page,
    writable_orgs,
)
from gonghui.workplan.readers import UnreadableFile, read_plan_file
from gonghui.workplan.rules import HEALTH_BADGES, HEALTH_ORDER
from gonghui.workplan.services import plans as plan_services
from gonghui.workplan.supervision import plan_supervision


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) == 4 else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_workplan_page(request.user)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year", "org")}
    queryset = selectors.plan_list(viewer=request.user, q=params["q"], year=_year(params["year"]),
                                   org_code=params["org"])
    return render(request, "workplan/home.html", {
        "page": paginate(request, queryset), "params": params,
        "years": selectors.plan_years(viewer=request.user),
        "qs": querystring_without_page(request),
        "can_import": writable_orgs(request.user).exists(),
        "unread": selectors.unread_count(request.user),
        "has_departments": bool(department_ids(request.user)),
    })


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(posted(request), uploaded(request),
                      orgs=require_issuer_page(request.user))
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data.get("file")
        try:
            if upload_file:
                text = read_plan_file(upload_file.name or "", upload_file.read())
                source = upload_file.name or ""
            else:
                text, source = form.cleaned_data["text"], _("粘贴的文本")
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            outcome = run_service(request, lambda: plan_services.plan_draft_create(
                org=form.cleaned_data["org"], source_name=source, text=text, actor=request.user),
                form=form)
            if outcome.ok and outcome.value is not None:
                return redirect("workplan:preview", outcome.value.pk)
    return render(request, "workplan/import.html", {"form": form},
                  status=form_status(form, outcome))


class _Refusals:
    """The preview lists a refusal among its errors: it has no Django form to put it on."""

    fields: dict[str, Any] = {}

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add_error(self, field: str | None, message: str) -> None:
        self.messages.append(message)


def _preview_action(request: HttpRequest, draft: PlanDraft, parsed: ParsedPlan,
                    action: str) -> Plan | PlanDraft | None:
    """Discard, save the corrections, or save them and import: one service call each."""
    if action == "discard":
        plan_services.plan_draft_discard(draft=draft, actor=request.user)
        return None
    draft = plan_services.plan_draft_update(draft=draft, parsed=parsed, actor=request.user)
    if action == "commit":
        return plan_services.plan_draft_commit(draft=draft, actor=request.user)
    return draft


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access_draft(request.user, pk)
    parsed = ParsedPlan.from_dict(draft.data)
    errors: list[str] = []
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action not in ("save", "commit", "discard"):
        # an empty or foreign POST must not overwrite the draft with nothing
        errors = [_("请求无效：请使用预览页上的按钮。")]
    elif request.method == "POST" and draft.status == DraftStatus.DRAFT:
        if action != "discard":
            parsed, errors = parsed_from_post(request.POST, parsed)
        if not errors:
            refusals = _Refusals()
            outcome = run_service(request, lambda: _preview_action(request, draft, parsed, action),
                                  form=refusals)
            if outcome.ok:
                return _after_preview(request, action, outcome.value)
            assert outcome.error is not None
            errors = list(outcome.error.extra.get("errors") or refusals.messages)
            status = outcome.status
    elif request.method == "POST":
        errors = [_("该导入已处理，不能再修改。")]
        status = 409
    blockers = errors if errors else plan_services.parsed_errors(parsed)
    return render(request, "workplan/preview.html", {
        "draft": draft, "parsed": parsed, "errors": errors, "blockers": blockers,
        "extra_items": range(len(parsed.items), len(parsed.items) + 2),
        "extra_heading": len(parsed.headings),
        "existing_departments": set(Department.objects.filter(org=draft.org)
                                    .values_list("name", flat=True)),
    }, status=(status if status != 200 else 400) if errors else 200)


def _after_preview(request: HttpRequest, action: str,
                   value: Plan | PlanDraft | None) -> HttpResponse:
    if action == "discard" or value is None:
        messages.info(request, _("已放弃本次导入。"))
        return redirect("workplan:home")
    if isinstance(value, Plan):
        messages.success(request, _("已导入“{title}”：{h} 个部分，{n} 项任务。").format(
            title=value.title, h=value.headings.count(), n=value.items.count()))
        return redirect("workplan:plan", value.pk)
    messages.info(request, _("修改已保存，尚未导入。"))
    return redirect("workplan:preview", value.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    sup = plan_supervision(plan, today=clock.today())
    return render(request, "workplan/plan_detail.html", {
        "plan": plan, "sup": sup, "can_supervise": can_supervise(request.user, plan),
        "badges": HEALTH_BADGES, "order": HEALTH_ORDER,
        "my_departments": department_ids(request.user),
    })


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk, write=True)
    form = PlanSettingsForm(posted(request), instance=plan)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: plan_services.plan_update(
            plan=access_plan(request.user, pk), actor=request.user, **form.cleaned_data),
            form=form, success=_("已保存。"))
        if outcome.ok:
            return redirect("workplan:plan", plan.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("工作要点设置"), "plan": plan, "back": plan},
        status=form_status(form, outcome))


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    sup = plan_supervision(plan, today=clock.today())
    return _attachment(exports.plan_xlsx(sup), XLSX, exports.filename(sup, "xlsx"))


@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    sup = plan_supervision(plan, today=clock.today())
    return _attachment(exports.plan_pdf(sup), "application/pdf", exports.filename(sup, "pdf"))


def _department(plan_pk: int, dept_pk: int, request: HttpRequest) -> tuple[Plan, Department]:
    plan = access_plan(request.user, plan_pk)
    department = Department.objects.filter(pk=dept_pk, org_id=plan.org_id).first()
    if department is None:
        raise NotFound()
    return plan, department


@login_required
def export_department_xlsx(request: HttpRequest, pk: int, dept: int) -> HttpResponse:
    plan, department = _department(pk, dept, request)
    sup = plan_supervision(plan, today=clock.today(), department=department)
    return _attachment(exports.plan_xlsx(sup, department=department), XLSX,
                       exports.filename(sup, "xlsx", department=department))


@login_required
def export_department_pdf(request: HttpRequest, pk: int, dept: int) -> HttpResponse:
    plan, department = _department(pk, dept, request)
    sup = plan_supervision(plan, today=clock.today(), department=department)
    return _attachment(exports.plan_pdf(sup, department=department), "application/pdf",
                       exports.filename(sup, "pdf", department=department))

