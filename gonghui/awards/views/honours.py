"""Pages of honour rounds: schemes, quotas, nominations, level review, 公示, conferral."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.awards import exports, selectors
from gonghui.awards.forms import NominationForm, QuotaForm, ReasonForm, ResubmitForm, SchemeForm
from gonghui.awards.models import (
    HonourKind,
    Nomination,
    NominationAttachment,
    NominationStatus,
    NomineeType,
    WorkerCategory,
)
from gonghui.awards.permissions import (
    access_awards_org,
    access_nomination,
    access_scheme,
    require_reviewer,
)
from gonghui.awards.services import honours as svc
from gonghui.awards.services import shares
from gonghui.core import clock, workdays
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded
from gonghui.notices.models import Notice

READ, WRITE = Capability.AWARDS_READ, Capability.AWARDS_WRITE
LABELS = dict(NominationStatus.choices)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    return render(request, "awards/home.html", {
        "figures": selectors.dashboard(viewer=request.user),
        "schemes": selectors.scheme_list(viewer=request.user)[:8],
        "tab": "home"})


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year", "kind")}
    rows = selectors.scheme_list(viewer=request.user, **params)
    return render(request, "awards/scheme_list.html", {
        "page": paginate(request, rows), "params": params, "kinds": HonourKind.choices,
        "qs": querystring_without_page(request), "tab": "schemes",
        "can_create": has_capability(request.user, WRITE)})


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = selectors.writable_orgs(request.user)
    form = SchemeForm(posted(request), initial={
        "year": clock.today().year, "org": orgs[0].code if orgs else ""})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = access_awards_org(request.user, data.pop("org"))
        outcome = run_service(request, lambda: svc.scheme_create(org=org, actor=request.user,
                                                                 **data),
                              form=form, success=_("评选项目已创建，请分配名额。"))
        if outcome.ok and outcome.value is not None:
            return redirect("awards:scheme", outcome.value.pk)
    return render(request, "awards/form.html", {
        "form": form, "title": _("新建评选项目"), "tab": "schemes", "orgs": orgs},
        status=form_status(form, outcome))


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    user = request.user
    review_orgs = [o for o in selectors.writable_orgs(user)
                   if o.path.startswith(scheme.org_path)
                   and Nomination.objects.filter(scheme=scheme, at_org=o,
                                                 status=NominationStatus.SUBMITTED).exists()][:20]
    counts = selectors.scheme_counts(scheme, user)
    try:  # shown before publishing: the end date a notice published today would have
        notice_end = workdays.period_end(clock.today(), scheme.notice_working_days)
    except workdays.UnknownCalendarYear:
        notice_end = None
    notices = Notice.objects.filter(pk__in=Nomination.objects.filter(scheme=scheme)
                                    .exclude(notice=None).values("notice")).order_by("-id")
    return render(request, "awards/scheme_detail.html", {
        "scheme": scheme, "quotas": selectors.quota_use(scheme, user),
        "progress": [(label, counts.get(value, 0)) for value, label in NominationStatus.choices],
        "review_orgs": review_orgs, "notices": notices, "notice_end": notice_end,
        "quota_form": QuotaForm(),
        "can_manage": has_capability(user, WRITE, scheme.org),
        "can_nominate": has_capability(user, WRITE), "tab": "schemes"})


@login_required
@require_POST
def quota_set(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk, write=True)
    form = QuotaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写工会代码和名额。"))
        return _scheme_again(request, scheme.pk, 400)
    org = access_awards_org(request.user, form.cleaned_data["org"])
    outcome = run_service(request, lambda: svc.quota_set(
        scheme=scheme, org=org, quota=form.cleaned_data["quota"], actor=request.user),
        success=_("名额已保存。"))
    if not outcome.ok:
        return _scheme_again(request, scheme.pk, outcome.status)
    return redirect("awards:scheme", scheme.pk)


def _scheme_again(request: HttpRequest, pk: int, status: int) -> HttpResponse:
    response = scheme_detail(request, pk)
    response.status_code = status
    return response


@login_required
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    require_capability(request.user, WRITE, read=READ)
    unions = [o for o in selectors.writable_orgs(request.user)
              if o.path.startswith(scheme.org_path) and o.pk != scheme.org_id]
    chosen = request.GET.get("union", "").strip() or (unions[-1].code if unions else "")
    union = access_awards_org(request.user, chosen, write=True) if chosen else None
    initial = {"union": union.code if union else ""}
    if union is not None and request.GET.get("person", "").isdigit():
        picked, _problem = selectors.member_by_pk(union.path, int(request.GET["person"]))
        if picked is not None:
            initial.update(person=picked.pk, member=picked.name)
    form = NominationForm(posted(request), uploaded(request), initial=initial)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        union = access_awards_org(request.user, data["union"], write=True)
        person = None
        if scheme.nominee_type == NomineeType.INDIVIDUAL:
            person, problem = (selectors.member_by_pk(union.path, data["person"])
                               if data.get("person")
                               else selectors.find_member(union.path, data["member"]))
            if person is None:
                form.add_error("member", problem)
        if not form.errors:
            outcome = run_service(request, lambda: svc.nomination_create(
                scheme=scheme, union=union, actor=request.user, person=person,
                name=data["name"], unit_name=data["unit_name"], category=data["category"],
                job_title=data["job_title"], deeds=data["deeds"],
                deeds_summary=data["deeds_summary"]), form=form, success=_("已推荐上报。"))
            if outcome.ok and outcome.value is not None:
                upload = data.get("attachment")
                if upload:
                    NominationAttachment.objects.create(nomination=outcome.value,
                                                        name=upload.name[:200], file=upload)
                return redirect("awards:nomination", outcome.value.pk)
    individual = scheme.nominee_type == NomineeType.INDIVIDUAL
    find = request.GET.get("find", "").strip()[:64]
    return render(request, "awards/nominate.html", {
        "form": form, "scheme": scheme, "unions": unions, "union": union, "tab": "schemes",
        "individual": individual, "find": find,
        "candidates": (selectors.nominee_candidates(scheme, union.path, find)
                       if individual and union is not None else []),
        "shares": _shares(scheme, union)},
        status=outcome.status if outcome is not None and not outcome.ok
        else form_status(form))


def _shares(scheme: Any, org: Any) -> list[shares.Standing]:
    """The share rules with where `org`'s list and its quota holder's places stand."""
    if org is None or not scheme.has_shares:
        return []
    return shares.standing(scheme, svc.quota_for(scheme, org.path), svc.level_list(scheme, org))


@login_required
def nomination_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "scheme", "status", "category")}
    scheme = access_scheme(request.user, params["scheme"]) if params["scheme"] else None
    rows = selectors.nomination_list(viewer=request.user, scheme=scheme, q=params["q"],
                                     status=params["status"], category=params["category"])
    return render(request, "awards/nomination_list.html", {
        "page": paginate(request, rows), "params": params, "scheme": scheme,
        "statuses": NominationStatus.choices, "categories": WorkerCategory.choices,
        "qs": querystring_without_page(request), "tab": "nominations"})


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    n = access_nomination(request.user, pk)
    user = request.user
    return render(request, "awards/nomination_detail.html", {
        "n": n, "attachments": n.attachments.all(),
        "history": [(h, LABELS.get(h.from_status, "—"), LABELS.get(h.to_status, h.to_status))
                    for h in n.history.all()],
        "can_review": n.status in (NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED)
        and has_capability(user, WRITE, n.at_org),
        "can_resubmit": n.status == NominationStatus.RETURNED
        and has_capability(user, WRITE, n.union),
        "can_withdraw": n.status in (NominationStatus.SUBMITTED, NominationStatus.RETURNED)
        and has_capability(user, WRITE, n.union),
        "reason_form": ReasonForm(), "resubmit_form": ResubmitForm(), "tab": "nominations"})


def _nomination_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    n = access_nomination(request.user, pk)
    if action in ("withdraw", "resubmit"):
        require_capability(request.user, WRITE, n.union)
    else:
        require_reviewer(request.user, n)
    form: ReasonForm | ResubmitForm = (ResubmitForm(request.POST) if action == "resubmit"
                                       else ReasonForm(request.POST))
    if not form.is_valid():
        messages.error(request, _("请填写原因。"))
        return _again(request, n, None, status=400)
    d = form.cleaned_data
    if action == "resubmit":
        outcome = run_service(request, lambda: svc.nomination_resubmit(
            nomination=n, actor=request.user, deeds=d["deeds"], deeds_summary=d["deeds_summary"],
            note=d["note"]), success=_("已重新上报。"))
    else:
        fn = {"return": svc.nomination_return, "reject": svc.nomination_reject,
              "withdraw": svc.nomination_withdraw}[action]
        ok = {"return": _("已退回推荐单位。"), "reject": _("已作不予通过处理。"),
              "withdraw": _("推荐已撤销。")}[action]
        outcome = run_service(request, lambda: fn(nomination=n, actor=request.user,
                                                  reason=d["reason"]), success=ok)
    if outcome.ok:
        return redirect("awards:nomination", n.pk)
    return _again(request, n, outcome)


def _again(request: HttpRequest, n: Nomination, outcome: Outcome | None,
           status: int | None = None) -> HttpResponse:
    response = nomination_detail(request, n.pk)
    response.status_code = status or (outcome.status if outcome else 400)
    return response


@login_required
@require_POST
def nomination_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _nomination_action(request, pk, "return")


@login_required
@require_POST
def nomination_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _nomination_action(request, pk, "reject")


@login_required
@require_POST
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _nomination_action(request, pk, "withdraw")


@login_required
@require_POST
def nomination_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _nomination_action(request, pk, "resubmit")


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A level's queue for a scheme: rank and forward (or, at the issuing union, shortlist)."""
    scheme = access_scheme(request.user, pk)
    code = request.GET.get("org") or request.POST.get("org") or ""
    if not code:  # the viewer's first level under the scheme (a reader sees the top queue)
        orgs = [o for o in selectors.writable_orgs(request.user)
                if o.path.startswith(scheme.org_path)]
        code = orgs[0].code if orgs else scheme.org.code
    org = access_awards_org(request.user, code)
    if not org.path.startswith(scheme.org_path):
        raise Http404
    rows = selectors.nomination_list(viewer=request.user, scheme=scheme,
                                     status=NominationStatus.SUBMITTED, at_org=org)
    outcome: Outcome | None = None
    if request.method == "POST":
        require_capability(request.user, WRITE, org)
        chosen = [v for v in request.POST.getlist("nomination") if v.isdigit()]
        ranks = {v: request.POST.get(f"rank_{v}", "") for v in chosen}
        chosen.sort(key=lambda v: (int(ranks[v]) if ranks[v].isdigit() else 10**6, int(v)))
        if not chosen:
            messages.error(request, _("请选择要报送的推荐对象。"))
            outcome = Outcome(ok=False, error=ApplicationError(""))
        else:
            outcome = run_service(request, lambda: svc.list_forward(
                scheme=scheme, org=org, nomination_ids=[int(v) for v in chosen],
                actor=request.user, note=request.POST.get("note", "")),
                success=_("已报送 {n} 个推荐对象。").format(n=len(chosen)))
            if outcome.ok:
                return redirect(f"{request.path}?org={org.code}")
    params = {"q": request.GET.get("q", "").strip()}
    if params["q"]:
        rows = rows.filter(name__icontains=params["q"])
    quota = svc.quota_for(scheme, org.path)
    checks_exact = org.pk == scheme.org_id or (quota is not None and quota.org_id == org.pk)
    return render(request, "awards/review.html", {
        "scheme": scheme, "org": org, "page": paginate(request, rows, per_page=100),
        "params": params, "qs": querystring_without_page(request), "quota": quota,
        "final": org.pk == scheme.org_id, "can_forward": has_capability(request.user, WRITE,
                                                                         org),
        "problems": (svc.composition_problems(scheme, [], svc.level_list(scheme, org))
                     if checks_exact else []),
        "shares": _shares(scheme, org), "tab": "schemes"}, status=outcome.status if outcome and not outcome.ok else 200)


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk, write=True)
    outcome = run_service(request, lambda: svc.scheme_notice_publish(scheme=scheme,
                                                                     actor=request.user),
                          success=_("公示已发布。"))
    if outcome.ok and outcome.value is not None:
        return redirect("awards:publicity", outcome.value.pk)
    return _scheme_again(request, scheme.pk, outcome.status)


@login_required
@require_POST
def confer(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk, write=True)
    outcome = run_service(request, lambda: svc.scheme_confer(scheme=scheme, actor=request.user),
                          success=_("荣誉已授予，获奖人员已进入劳模档案。"))
    if not outcome.ok:
        return _scheme_again(request, scheme.pk, outcome.status)
    return redirect("awards:scheme", scheme.pk)


def _awards_notice(pk: int) -> Notice:
    notice = Notice.objects.select_related("org").filter(
        pk=pk, kind=svc.NOTICE_KIND).exclude(status=Notice.Status.WITHDRAWN).first()
    if notice is None:
        raise Http404
    return notice


def _public_rows(notice: Notice) -> list[dict[str, str]]:
    """Only what a 公示 may show: name, unit, deeds summary (never an ID number or phone)."""
    return [{"name": n.name, "unit": n.unit_name, "summary": n.deeds_summary,
             "scheme": n.scheme.title}
            for n in Nomination.objects.filter(notice=notice).select_related("scheme")
            .order_by("at_path", "rank", "id")]


def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    """The public 公示 page: anyone may read it (it is public by law)."""
    notice = _awards_notice(pk)
    rows = _public_rows(notice)
    return render(request, "awards/publicity.html", {
        "notice": notice, "rows": rows, "tab": "schemes"})


def publicity_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _awards_notice(pk)
    response = HttpResponse(exports.publicity_pdf(notice, _public_rows(notice)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response
