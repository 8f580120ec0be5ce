"""Plan pages: the list, the import (upload → preview → save), a plan, its settings, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.workplan import exports, selectors
from gonghui.workplan.forms import PlanSettingsForm, UploadForm, parsed_from_post
from gonghui.workplan.models import Department
from gonghui.workplan.parsing import ParsedPlan
from gonghui.workplan.permissions import (
    READ,
    access_draft,
    access_plan,
    can_supervise,
    department_ids,
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
    from gonghui.accounts.scoping import capabilities_anywhere

    if READ not in capabilities_anywhere(request.user) and not department_ids(request.user):
        raise NotFound()
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
    orgs = writable_orgs(request.user)
    if not orgs.exists():
        raise NotFound()
    form = UploadForm(request.POST or None, request.FILES or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data.get("file")
        try:
            if upload_file:
                text = read_plan_file(upload_file.name, upload_file.read())
                source = upload_file.name
            else:
                text, source = form.cleaned_data["text"], _("粘贴的文本")
            draft = plan_services.plan_draft_create(org=form.cleaned_data["org"], source_name=source,
                                                    text=text, actor=request.user)
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("workplan:preview", draft.pk)
    return render(request, "workplan/import.html", {"form": form})


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    draft = access_draft(request.user, pk)
    parsed = ParsedPlan.from_dict(draft.data)
    errors: list[str] = []
    if request.method == "POST" and draft.status == "draft":
        action = request.POST.get("action", "save")
        try:
            if action == "discard":
                plan_services.plan_draft_discard(draft=draft, actor=request.user)
                messages.info(request, _("已放弃本次导入。"))
                return redirect("workplan:home")
            parsed, errors = parsed_from_post(request.POST, parsed)
            if not errors:
                draft = plan_services.plan_draft_update(draft=draft, parsed=parsed,
                                                        actor=request.user)
                if action == "commit":
                    plan = plan_services.plan_draft_commit(draft=draft, actor=request.user)
                    messages.success(request, _("已导入“{title}”：{h} 个部分，{n} 项任务。").format(
                        title=plan.title, h=plan.headings.count(), n=plan.items.count()))
                    return redirect("workplan:plan", plan.pk)
                messages.info(request, _("修改已保存，尚未导入。"))
                return redirect("workplan:preview", draft.pk)
        except ApplicationError as exc:
            errors = list(exc.extra.get("errors") or [exc.message])
    elif request.method == "POST":
        errors = [_("该导入已处理，不能再修改。")]
    blockers = errors if errors else plan_services.parsed_errors(parsed)
    return render(request, "workplan/preview.html", {
        "draft": draft, "parsed": parsed, "errors": errors, "blockers": blockers,
        "extra_items": range(len(parsed.items), len(parsed.items) + 2),
        "extra_heading": len(parsed.headings),
        "existing_departments": set(Department.objects.filter(org=draft.org)
                                    .values_list("name", flat=True)),
    }, status=400 if errors else 200)


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
    form = PlanSettingsForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.plan_update(plan=access_plan(request.user, pk, write=True),
                                      actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workplan:plan", plan.pk)
    return render(request, "workplan/form.html", {
        "form": form, "title": _("工作要点设置"), "plan": plan, "back": plan},
        status=400 if request.method == "POST" else 200)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

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


def _department(plan_pk: int, dept_pk: int, request: HttpRequest):
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

