from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import can
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.orgs import selectors, services
from gonghui.orgs.forms import OrgForm, OrgPickForm
from gonghui.orgs.models import Level, OrgStatus, OrgType
from gonghui.orgs.permissions import access_org


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.org_roots_for(request.user)
    return render(request, "orgs/tree.html", {"roots": roots})


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the children of one node, loaded when it is expanded."""
    org = access_org(request.user, pk)
    nodes = selectors.org_children(viewer=request.user, org=org,
                                   include_closed=request.GET.get("closed") == "1")
    return render(request, "orgs/tree.html#nodes", {"nodes": nodes})


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "level", "org_type", "status")}
    queryset = selectors.org_list(viewer=request.user, q=params["q"], level=params["level"],
                                  org_type=params["org_type"], status=params["status"])
    return render(request, "orgs/list.html", {
        "page": paginate(request, queryset), "params": params, "levels": Level.choices,
        "types": OrgType.choices, "statuses": OrgStatus.choices,
        "qs": querystring_without_page(request),
    })


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk)
    return render(request, "orgs/detail.html", {
        "org": org,
        "ancestors": [a for a in selectors.org_ancestors(org) if can(request.user, a, "org.read")],
        "children": selectors.org_children(viewer=request.user, org=org, include_closed=True),
        "counts": selectors.subtree_counts(org),
        "coverage": selectors.employer_coverage(org),
        "levels": Level.choices,
        "can_write": can(request.user, org, "org.write"),
        "occupancy": services.org_occupancy(org) if org.is_active else [],
    })


def _form_page(request, form, *, title, org=None, parent=None):
    return render(request, "orgs/form.html", {"form": form, "title": title, "org": org,
                                              "parent": parent})


@login_required
def create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    parent = access_org(request.user, parent_pk, write=True)
    form = OrgForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(parent=parent, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建“{name}”。").format(name=org.name))
            return redirect("orgs:detail", org.pk)
    return _form_page(request, form, title=_("新建下级组织"), parent=parent)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    form = OrgForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            services.org_update(org=access_org(request.user, pk, write=True), actor=request.user,
                                **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", org.pk)
    return _form_page(request, form, title=_("编辑组织"), org=org)


def _pick(request: HttpRequest, pk: int, *, action: str) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    form = OrgPickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = access_org(request.user, form.cleaned_data["target"].strip().upper())
            if action == "move":
                services.org_move(org=org, new_parent=target, actor=request.user)
                messages.success(request, _("已移动到“{name}”之下。").format(name=target.name))
                return redirect("orgs:detail", org.pk)
            services.org_merge(source=org, target=target, actor=request.user,
                               note=form.cleaned_data["note"])
            messages.success(request, _("已并入“{name}”。").format(name=target.name))
            return redirect("orgs:detail", target.pk)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "orgs/pick.html", {"org": org, "form": form, "action": action})


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    return _pick(request, pk, action="move")


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _pick(request, pk, action="merge")


@login_required
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    if request.method == "POST":
        try:
            services.org_dissolve(org=org, actor=request.user,
                                  note=request.POST.get("note", "")[:500])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("“{name}”已撤销。").format(name=org.name))
    return redirect("orgs:detail", org.pk)
