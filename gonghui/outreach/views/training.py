"""Cadre training (courses, sessions, enrolment, attendance, certificates, the untrained
street-union chairs) and practical projects (targets per district, progress)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.errors import Conflict, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service
from gonghui.outreach import selectors
from gonghui.outreach.forms import AttendanceForm, CourseForm, EnrolForm, ProjectForm, SessionForm
from gonghui.outreach.models import Attendance, Course, CourseSession, Enrolment
from gonghui.outreach.permissions import access_course, access_org, access_project, writable_orgs
from gonghui.outreach.services import projects as project_svc
from gonghui.outreach.services import training as svc

READ, WRITE = Capability.OUTREACH_READ, Capability.OUTREACH_WRITE


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year")}
    return render(request, "outreach/course_list.html", {
        "page": paginate(request, selectors.course_list(viewer=request.user, **params)),
        "params": params, "qs": querystring_without_page(request), "tab": "training",
        "can_write": has_capability(request.user, WRITE)})


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user)
    form = CourseForm(posted(request), initial={"org": orgs[0].code if orgs else "",
                                                "year": clock.today().year})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org_code = data.pop("org")
        outcome = run_service(request, lambda: svc.course_create(
            org=access_org(request.user, org_code), actor=request.user, **data), form=form,
            success=_("课程已创建。"))
        if outcome.ok and outcome.value is not None:
            return redirect("outreach:course", outcome.value.pk)
    return render(request, "outreach/form.html", {
        "form": form, "title": _("新建培训课程"), "tab": "training",
        "back": "outreach:courses"}, status=form_status(form, outcome))


def _course_page(request: HttpRequest, course: Course, *, status: int = 200,
                 **forms: Any) -> HttpResponse:
    sessions = list(course.sessions.all())
    enrolled = list(Enrolment.objects.filter(course=course).select_related("user")
                    .order_by("user__username"))
    attended: dict[int, set[int]] = {}
    for a in Attendance.objects.filter(session__course=course):
        attended.setdefault(a.user_id, set()).add(a.session_id)
    total = sum((s.hours for s in sessions), Decimal(0))
    rows = [{"user": e.user, "hours": sum((s.hours for s in sessions
                                           if s.pk in attended.get(e.user_id, set())),
                                          Decimal(0)),
             "complete": bool(sessions) and attended.get(e.user_id, set())
             >= {s.pk for s in sessions}} for e in enrolled]
    return render(request, "outreach/course_detail.html", {
        "course": course, "sessions": sessions, "rows": rows, "total": total,
        "can_write": has_capability(request.user, WRITE, course.org), "tab": "training",
        "session_form": forms.get("session_form") or SessionForm(),
        "enrol_form": forms.get("enrol_form") or EnrolForm(),
        "attend_form": forms.get("attend_form") or AttendanceForm()}, status=status)


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _course_page(request, access_course(request.user, pk))


@login_required
@require_POST
def course_session(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request.user, pk, write=True)
    form = SessionForm(posted(request))
    outcome = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_service(request, lambda: svc.session_add(
            course=course, actor=request.user, **data), form=form, success=_("已添加课次。"))
        if outcome.ok:
            return redirect("outreach:course", course.pk)
    return _course_page(request, course, status=form_status(form, outcome), session_form=form)


@login_required
@require_POST
def course_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request.user, pk, write=True)
    form = EnrolForm(posted(request))
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: svc.enrol(
            course=course, cadre=form.cleaned_data["username"], actor=request.user), form=form,
            success=_("已报名。"))
        if outcome.ok:
            return redirect("outreach:course", course.pk)
    return _course_page(request, course, status=form_status(form, outcome), enrol_form=form)


@login_required
@require_POST
def course_attend(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    course = access_course(request.user, pk, write=True)
    session = CourseSession.objects.filter(pk=sid, course=course).first()
    if session is None:
        raise NotFound()
    form = AttendanceForm(posted(request))
    outcome = None
    if form.is_valid():
        names = [n.strip() for n in form.cleaned_data["users"].split() if n.strip()]
        ids = list(get_user_model().objects.filter(username__in=names).values_list("pk",
                                                                                 flat=True))
        if len(ids) != len(set(names)):
            form.add_error("users", _("有账户名不存在，请核对。"))
        else:
            outcome = run_service(request, lambda: svc.attendance_record(
                session=session, user_ids=ids, actor=request.user), form=form,
                success=_("已记录出勤。"))
            if outcome.ok:
                return redirect("outreach:course", course.pk)
    return _course_page(request, course, status=form_status(form, outcome), attend_form=form)


@login_required
def course_certificate(request: HttpRequest, pk: int, uid: int) -> HttpResponse:
    """The completion certificate (PDF) of a cadre who attended every session."""
    course = access_course(request.user, pk)
    user = get_user_model().objects.filter(pk=uid).first()
    sessions = list(course.sessions.all())
    if user is None or not Enrolment.objects.filter(course=course, user=user).exists():
        raise NotFound()
    done = set(Attendance.objects.filter(session__course=course, user=user)
               .values_list("session_id", flat=True))
    if not sessions or done < {s.pk for s in sessions}:
        raise Conflict(_("该干部尚未完成全部课次，不能出具结业证书。"))
    html = render_to_string("outreach/certificate.html", {
        "course": course, "user": user, "hours": sum((s.hours for s in sessions), Decimal(0)),
        "today": clock.today()})
    # why: WeasyPrint is heavy (cairo, pango); only this page needs it
    from weasyprint import HTML

    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{course.pk}-{uid}.pdf"'
    return response


@login_required
def training_gaps(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() \
        else clock.today().year
    rows = selectors.untrained_chairs(viewer=request.user, year=year)
    return render(request, "outreach/training_gaps.html", {
        "rows": rows, "year": year, "required": svc.REQUIRED_HOURS, "tab": "training"})


# --- practical projects -------------------------------------------------------------------

@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    year = request.GET.get("year", "").strip()
    return render(request, "outreach/project_list.html", {
        "page": paginate(request, selectors.project_list(viewer=request.user, year=year)),
        "year": year, "qs": querystring_without_page(request), "tab": "projects",
        "can_write": has_capability(request.user, WRITE)})


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user)
    form = ProjectForm(posted(request), initial={"org": orgs[0].code if orgs else "",
                                                 "year": clock.today().year})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org_code = data.pop("org")
        outcome = run_service(request, lambda: project_svc.project_create(
            org=access_org(request.user, org_code), actor=request.user, **data), form=form,
            success=_("实项目已下达。"))
        if outcome.ok and outcome.value is not None:
            return redirect("outreach:project", outcome.value.pk)
    return render(request, "outreach/form.html", {
        "form": form, "title": _("下达实项目"), "tab": "projects",
        "back": "outreach:projects"}, status=form_status(form, outcome))


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk)
    rows = selectors.project_progress(project)
    return render(request, "outreach/project_detail.html", {
        "project": project, "rows": rows, "lagging": [r for r in rows if r["lagging"]],
        "total_target": sum(r["target"] for r in rows), "total_done": sum(r["done"] for r in rows),
        "tab": "projects"})
