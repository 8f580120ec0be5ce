"""Pages of the seasonal programmes: list, create, beneficiary list, approve, pay."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can, capabilities_anywhere, prefixes
from gonghui.aid import selectors
from gonghui.aid.forms import ProgrammeForm
from gonghui.aid.models import BeneficiaryStatus, ProgrammeKind, ProgrammeStatus
from gonghui.aid.permissions import access_aid_org, access_beneficiary, access_programme
from gonghui.aid.selectors import visible_files
from gonghui.aid.services import programmes as svc
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.orgs.models import Org


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    if "aid.read" not in capabilities_anywhere(request.user):
        raise NotFound()
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year", "kind", "status")}
    queryset = selectors.programme_list(viewer=request.user, **params)
    return render(request, "aid/programme_list.html", {
        "page": paginate(request, queryset), "params": params, "kinds": ProgrammeKind.choices,
        "statuses": ProgrammeStatus.choices, "qs": querystring_without_page(request),
        "can_create": "aid.write" in capabilities_anywhere(request.user), "tab": "programmes",
    })


def _owner_choices(user) -> list[Org]:
    """The orgs where the user holds aid.write (a superuser: the districts and the roots)."""
    if user.is_superuser:
        return list(Org.objects.filter(depth__lte=2, status="active").order_by("path"))
    return list(Org.objects.filter(path__in=prefixes(user, "aid.write")).order_by("path"))


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    owners = _owner_choices(request.user)
    if not owners:
        raise NotFound()
    form = ProgrammeForm(request.POST or None, initial={"year": clock.today().year})
    org_code = request.POST.get("org", owners[0].code if owners else "")
    if request.method == "POST" and form.is_valid():
        try:
            org = access_aid_org(request.user, org_code)
            programme = svc.programme_create(org=org, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建项目，请生成帮扶名单。"))
            return redirect("aid:programme", programme.pk)
    return render(request, "aid/programme_form.html", {
        "form": form, "owners": owners, "org_code": org_code, "title": _("新建帮扶项目"),
        "tab": "programmes"})


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    initial = {name: getattr(programme, name) for name in svc.FIELDS}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.programme_update(programme=programme, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("aid:programme", programme.pk)
    return render(request, "aid/programme_form.html", {
        "form": form, "programme": programme, "title": _("编辑帮扶项目"), "tab": "programmes"})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk)
    status = request.GET.get("status", "").strip()
    rows = programme.beneficiaries.select_related("file", "union").order_by("union_path", "id")
    if status:
        rows = rows.filter(status=status)
    totals = selectors.programme_totals(programme)
    history = AuditEvent.objects.filter(object_type="aid.programme",
                                        object_id=str(programme.pk)).order_by("at", "id")
    return render(request, "aid/programme_detail.html", {
        "programme": programme, "page": paginate(request, rows, per_page=50),
        "qs": querystring_without_page(request), "status": status,
        "statuses": BeneficiaryStatus.choices, "totals": totals,
        "committed": svc.committed(programme),
        "can_write": can(request.user, programme.org, "aid.write"),
        "history": history, "tab": "programmes",
    })


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    try:
        result = action(programme)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(n=result) if isinstance(result, int) else done)
    return redirect("aid:programme", programme.pk)


@login_required
@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: svc.beneficiaries_generate(programme=p, actor=request.user),
                _("已按条件加入 {n} 户。"))


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    number = request.POST.get("number", "").strip().upper()

    def action(programme):
        file = visible_files(request.user).filter(number=number).first()
        if file is None:
            raise ApplicationError(_("没有找到档案编号“{n}”。").format(n=number))
        svc.beneficiary_add(programme=programme, file=file, actor=request.user)
        return _("已加入 {n}。").format(n=number)

    return _act(request, pk, action, _("已加入。"))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: svc.programme_approve(
        programme=p, actor=request.user, note=request.POST.get("note", "")[:500]),
        _("项目名单已审批，可以发放。"))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: svc.programme_close(programme=p, actor=request.user),
                _("项目已结束。"))


@login_required
@require_POST
def pay_all(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    paid, problems = svc.programme_pay_all(programme=programme, actor=request.user)
    messages.success(request, _("已发放 {n} 户。").format(n=paid))
    for problem in problems[:20]:
        messages.error(request, problem)
    return redirect("aid:programme", programme.pk)


@login_required
@require_POST
def pay(request: HttpRequest, pk: int, bid: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    row = access_beneficiary(request.user, programme, bid)
    try:
        svc.beneficiary_pay(beneficiary=row, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已向 {name} 户发放。").format(name=row.file.applicant_name))
    return redirect("aid:programme", programme.pk)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, bid: int) -> HttpResponse:
    programme = access_programme(request.user, pk, write=True)
    row = access_beneficiary(request.user, programme, bid)
    try:
        svc.beneficiary_remove(beneficiary=row, actor=request.user,
                               reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已移出名单。"))
    return redirect("aid:programme", programme.pk)
