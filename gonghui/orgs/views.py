from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, run_service
from gonghui.orgs import picker as picker_module
from gonghui.orgs import selectors, services
from gonghui.orgs.forms import OrgForm, OrgPickForm
from gonghui.orgs.models import Level, Org, OrgStatus, OrgType
from gonghui.orgs.permissions import access_org


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.ORG_READ)
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
def picker(request: HttpRequest) -> HttpResponse:
    """htmx: the org picker's suggestions (name, short name or code) for one purpose, inside
    the viewer's subtrees for that purpose; anyone signed in may ask, an empty list is the
    answer where they hold nothing."""
    field = request.GET.get("field", "")
    q = (request.GET.get("q") or (request.GET.get(field, "") if field else "")).strip()[:100]
    purpose = request.GET.get("purpose", "read")
    relative_to = None
    rel = request.GET.get("for", "")
    if rel.isdigit():
        try:
            relative_to = access_org(request.user, rel)
        except (NotFound, Forbidden):
            relative_to = None
    orgs = picker_module.org_pick(viewer=request.user, q=q, purpose=purpose,
                                  relative_to=relative_to)
    return render(request, "orgs/_picker_results.html", {
        "orgs": orgs, "q": q, "hint": picker_module.purpose_of(purpose).hint})


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.ORG_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "level", "org_type", "status")}
    queryset = selectors.org_list(viewer=request.user, q=params["q"], level=params["level"],
                                  org_type=params["org_type"], status=params["status"])
    return render(request, "orgs/list.html", {
        "page": paginate(request, queryset), "params": params, "levels": Level.choices,
        "types": OrgType.choices, "statuses": OrgStatus.choices,
        "qs": querystring_without_page(request),
    })


def _detail_page(request: HttpRequest, org: Org, *, status: int = 200) -> HttpResponse:
    return render(request, "orgs/detail.html", {
        "org": org,
        "ancestors": selectors.visible_ancestors(viewer=request.user, org=org),
        "children": selectors.org_children(viewer=request.user, org=org, include_closed=True),
        "counts": selectors.subtree_counts(org),
        "coverage": selectors.employer_coverage(org),
        "levels": Level.choices,
        "can_write": has_capability(request.user, Capability.ORG_WRITE, org),
        "occupancy": services.org_occupancy(org) if org.is_active else [],
        "history": selectors.org_history(org),
    }, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, access_org(request.user, pk))


def _form_page(request: HttpRequest, form: OrgForm, outcome: Outcome | None, *, title: str,
               org: Org | None = None, parent: Org | None = None) -> HttpResponse:
    return render(request, "orgs/form.html", {"form": form, "title": title, "org": org,
                                              "parent": parent},
                  status=form_status(form, outcome))


@login_required
def create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    parent = access_org(request.user, parent_pk, write=True)
    form = OrgForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.org_create(
            parent=parent, actor=request.user, **form.cleaned_data), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已创建“{name}”。").format(name=outcome.value.name))
            return redirect("orgs:detail", outcome.value.pk)
    return _form_page(request, form, outcome, title=_("新建下级组织"), parent=parent)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    form = OrgForm(request.POST if request.method == "POST" else None, instance=org)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        outcome = run_service(request, lambda: services.org_update(
            org=access_org(request.user, pk, write=True), actor=request.user, **data),
            form=form, success=_("已保存。"))
        if outcome.ok:
            return redirect("orgs:detail", org.pk)
    return _form_page(request, form, outcome, title=_("编辑组织"), org=org)


def _picked(request: HttpRequest, form: OrgPickForm, purpose: str, org: Org) -> Org | None:
    """The target org chosen in the picker (or typed: a code, a name), or None with the reason
    on the form."""
    try:
        return picker_module.resolve_org(viewer=request.user, text=form.cleaned_data["target"],
                                         purpose=purpose, relative_to=org)
    except picker_module.PickError as exc:
        form.add_error("target", exc.message)
        return None


def _pick_page(request: HttpRequest, org: Org, form: OrgPickForm, outcome: Outcome | None, *,
               action: str) -> HttpResponse:
    return render(request, "orgs/pick.html", {"org": org, "form": form, "action": action},
                  status=form_status(form, outcome))


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    form = OrgPickForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        target = _picked(request, form, "move", org)
        if target is None:
            return _pick_page(request, org, form, None, action="move")
        outcome = run_service(request, lambda: services.org_move(
            org=org, new_parent=target, actor=request.user), form=form,
            success=_("已移动到“{name}”之下。").format(name=target.name))
        if outcome.ok:
            return redirect("orgs:detail", org.pk)
    return _pick_page(request, org, form, outcome, action="move")


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    form = OrgPickForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        target = _picked(request, form, "merge", org)
        if target is None:
            return _pick_page(request, org, form, None, action="merge")
        outcome = run_service(request, lambda: services.org_merge(
            source=org, target=target, actor=request.user, note=form.cleaned_data["note"]),
            form=form, success=_("已并入“{name}”。").format(name=target.name))
        if outcome.ok:
            return redirect("orgs:detail", target.pk)
    return _pick_page(request, org, form, outcome, action="merge")


@login_required
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_org(request.user, pk, write=True)
    if request.method != "POST":
        return redirect("orgs:detail", org.pk)  # the dialog lives on the detail page
    outcome = run_service(request, lambda: services.org_dissolve(
        org=org, actor=request.user, note=request.POST.get("note", "")[:500]),
        success=_("“{name}”已撤销。").format(name=org.name))
    if outcome.ok:
        return redirect("orgs:detail", org.pk)
    return _detail_page(request, access_org(request.user, pk), status=outcome.status)
