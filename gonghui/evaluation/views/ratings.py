"""Pages of 建家评家: the home page, schemes, ratings (the workflow's steps), 公示, titles
(public list, due list, withdrawal, downgrade, veto events)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.evaluation import selectors
from gonghui.evaluation.forms import (
    DowngradeForm,
    EvidenceForm,
    OnsiteForm,
    PublicizeForm,
    RatingOpenForm,
    ReasonForm,
    SchemeForm,
)
from gonghui.evaluation.models import (
    Evidence,
    Grade,
    Item,
    Rating,
    RatingStatus,
    SurveyStatus,
    TitleStatus,
)
from gonghui.evaluation.permissions import (
    access_rating,
    access_scheme,
    access_title,
    can_write,
    is_superior,
    require_evaluation_page,
    writable_orgs,
)
from gonghui.evaluation.services import ratings as svc
from gonghui.evaluation.services import schemes as scheme_svc
from gonghui.evaluation.services import titles as title_svc
from gonghui.evaluation.views.common import int_param, scores_from
from gonghui.orgs.models import Level

WRITE = Capability.EVALUATION_WRITE


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    user = request.user
    return render(request, "evaluation/home.html", {
        "tab": "home",
        "to_review": selectors.ratings_to_review(viewer=user)[:10],
        "due": selectors.titles_due(viewer=user)[:10],
        "open_surveys": selectors.survey_list(viewer=user, status=SurveyStatus.OPEN)[:10],
        "counts": {
            "titles": selectors.title_list(viewer=user).count(),
            "ratings": selectors.rating_list(viewer=user).exclude(
                status__in=[RatingStatus.CONFERRED, RatingStatus.FAILED,
                            RatingStatus.REJECTED]).count(),
            "surveys": selectors.survey_list(viewer=user, status=SurveyStatus.OPEN).count(),
        },
    })


# --- schemes -------------------------------------------------------------------------------

@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    params = {"q": request.GET.get("q", "").strip(), "year": int_param(request, "year")}
    return render(request, "evaluation/scheme_list.html", {
        "tab": "schemes", "params": params, "qs": querystring_without_page(request),
        "page": paginate(request, selectors.scheme_list(
            viewer=request.user, q=str(params["q"] or ""), year=int_param(request, "year"))),
        "can_create": has_capability(request.user, WRITE)})


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user).filter(
        level__in=[Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT])
    form = SchemeForm(posted(request), orgs=orgs, initial={"year": clock.today().year})
    outcome = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_service(request, lambda: scheme_svc.scheme_create(
            org=d["org"], name=d["name"], year=d["year"], rerating_years=d["rerating_years"],
            for_branches=d["for_branches"], sections=scheme_svc.parse_checklist(d["checklist"]),
            thresholds=form.thresholds(), vetoes=d["vetoes"].splitlines(), actor=request.user),
            form=form, success=_("评家方案已创建。"))
        if outcome.ok and outcome.value is not None:
            return redirect("evaluation:scheme", outcome.value.pk)
    return render(request, "evaluation/form.html", {
        "form": form, "title": _("新建评家方案"), "tab": "schemes"},
        status=form_status(form, outcome))


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    sections = scheme.sections.prefetch_related("items")
    return render(request, "evaluation/scheme_detail.html", {
        "tab": "schemes", "scheme": scheme, "sections": sections,
        "total": scheme_svc.scheme_total(scheme),
        "thresholds": scheme.thresholds.order_by("min_score").reverse(),
        "vetoes": scheme.vetoes.all()})


# --- ratings -------------------------------------------------------------------------------

@login_required
def rating_list(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    params = {"q": request.GET.get("q", "").strip(),
              "status": request.GET.get("status", "").strip(),
              "year": int_param(request, "year")}
    return render(request, "evaluation/rating_list.html", {
        "tab": "ratings", "params": params, "statuses": RatingStatus.choices,
        "qs": querystring_without_page(request),
        "page": paginate(request, selectors.rating_list(
            viewer=request.user, q=str(params["q"] or ""), status=str(params["status"] or ""),
            year=int_param(request, "year"))),
        "can_create": has_capability(request.user, WRITE),
        "can_publicize": selectors.rating_list(viewer=request.user,
                                               status=RatingStatus.DECIDED).exists()})


@login_required
def rating_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    schemes = selectors.scheme_list(viewer=request.user).filter(active=True)
    orgs = writable_orgs(request.user).filter(level__in=[Level.GRASSROOTS, Level.BRANCH])
    form = RatingOpenForm(posted(request), schemes=schemes, orgs=orgs)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: svc.rating_open(
            scheme=form.cleaned_data["scheme"], org=form.cleaned_data["org"],
            actor=request.user), form=form, success=_("已开始自评。"))
        if outcome.ok and outcome.value is not None:
            return redirect("evaluation:rating", outcome.value.pk)
    return render(request, "evaluation/form.html", {
        "form": form, "title": _("申报评家（开始自评）"), "tab": "ratings"},
        status=form_status(form, outcome))


def _rating_page(request: HttpRequest, rating: Rating, *, status: int = 200,
                 **forms: Any) -> HttpResponse:
    rating.refresh_from_db()
    user = request.user
    own = can_write(user, rating.org)
    superior = own and is_superior(user, rating.org)
    return render(request, "evaluation/rating_detail.html", {
        "tab": "ratings", "rating": rating, "sheet": selectors.rating_sheet(rating),
        "history": rating.history.all(), "vetoes": rating.scheme.vetoes.all(),
        "veto_hits": rating.veto_hits.select_related("veto"),
        "can_self": own and rating.status == RatingStatus.DRAFT,
        "can_review": superior and rating.status == RatingStatus.SUBMITTED,
        "can_onsite": superior and rating.status == RatingStatus.REVIEWED,
        "can_decide": superior and rating.status == RatingStatus.CHECKED,
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "return_form": forms.get("return_form") or ReasonForm(),
        "onsite_form": forms.get("onsite_form") or OnsiteForm(
            initial={"on": clock.today()}),
    }, status=status)


@login_required
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _rating_page(request, access_rating(request.user, pk))


def _act(request: HttpRequest, rating: Rating, call: Any, success: str) -> HttpResponse:
    outcome = run_service(request, call, success=success)
    if outcome.ok:
        return redirect("evaluation:rating", rating.pk)
    return _rating_page(request, rating, status=outcome.status)


@login_required
@require_POST
def rating_self(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, write=True)
    scores = scores_from(request.POST)
    if not scores:
        messages.error(request, _("没有提交任何分数。"))
        return _rating_page(request, rating, status=400)
    return _act(request, rating, lambda: svc.self_scores_save(
        rating=rating, scores=scores, actor=request.user), _("自评分已保存。"))


@login_required
@require_POST
def rating_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, write=True)
    form = EvidenceForm(posted(request), uploaded(request))
    if not form.is_valid():
        return _rating_page(request, rating, status=400, evidence_form=form)
    item = Item.objects.filter(pk=form.cleaned_data["item"],
                               section__scheme=rating.scheme_id).first()
    if item is None:
        messages.error(request, _("评分项不属于本方案。"))
        return _rating_page(request, rating, status=400)
    return _act(request, rating, lambda: svc.evidence_add(
        rating=rating, item=item, upload=form.cleaned_data["content"], actor=request.user),
        _("佐证材料已上传。"))


@login_required
def evidence_download(request: HttpRequest, pk: int, eid: int) -> FileResponse:
    rating = access_rating(request.user, pk)
    evidence = Evidence.objects.filter(pk=eid, rating=rating).first()
    if evidence is None:
        raise NotFound()
    return FileResponse(evidence.content.open("rb"), content_type=evidence.content_type,
                        filename=evidence.name)


@login_required
@require_POST
def rating_submit(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, write=True)
    return _act(request, rating, lambda: svc.rating_submit(rating=rating, actor=request.user),
                _("已提交上级工会审核。"))


@login_required
@require_POST
def rating_review(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, review=True)
    scores = scores_from(request.POST, "review", "reason")
    if not scores:
        messages.error(request, _("没有提交任何分数。"))
        return _rating_page(request, rating, status=400)
    return _act(request, rating, lambda: svc.review_scores_save(
        rating=rating, scores=scores, actor=request.user), _("审核分已保存。"))


@login_required
@require_POST
def rating_review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, review=True)
    vetoes = {int(v): request.POST.get(f"veto_note_{v}", "")
              for v in request.POST.getlist("veto") if v.isdigit()}
    return _act(request, rating, lambda: svc.review_complete(
        rating=rating, vetoes=vetoes, note=request.POST.get("note", ""), actor=request.user),
        _("审核已完成，请安排实地检查。"))


@login_required
@require_POST
def rating_return(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, review=True)
    form = ReasonForm(posted(request))
    if not form.is_valid():
        return _rating_page(request, rating, status=400, return_form=form)
    return _act(request, rating, lambda: svc.rating_return(
        rating=rating, reason=form.cleaned_data["reason"], actor=request.user),
        _("已退回修改。"))


@login_required
@require_POST
def rating_onsite(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, review=True)
    form = OnsiteForm(posted(request))
    if not form.is_valid():
        return _rating_page(request, rating, status=400, onsite_form=form)
    d = form.cleaned_data
    return _act(request, rating, lambda: svc.onsite_record(
        rating=rating, on=d["on"], by=d["by"], note=d["note"], actor=request.user),
        _("实地检查已记录。"))


@login_required
@require_POST
def rating_decide(request: HttpRequest, pk: int) -> HttpResponse:
    rating = access_rating(request.user, pk, review=True)
    return _act(request, rating, lambda: svc.rating_decide(rating=rating, actor=request.user),
                _("已评定。"))


@login_required
def publicize(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user).exclude(level__in=[Level.GRASSROOTS, Level.BRANCH])
    decided = selectors.rating_list(viewer=request.user, status=RatingStatus.DECIDED)
    form = PublicizeForm(posted(request), orgs=orgs, ratings=decided,
                         initial={"title": _("{y}年度职工之家评定结果公示").format(
                             y=clock.today().year)})
    outcome = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_service(request, lambda: svc.ratings_publicize(
            ratings=list(d["ratings"]), org=d["org"], title=d["title"],
            working_days=d["working_days"], actor=request.user), form=form,
            success=_("已发布公示；公示期满无异议后自动授牌。"))
        if outcome.ok and outcome.value is not None:
            return redirect("notices:manage_detail", outcome.value.pk)
    return render(request, "evaluation/form.html", {
        "form": form, "title": _("评定结果公示"), "tab": "ratings"},
        status=form_status(form, outcome))


# --- titles --------------------------------------------------------------------------------

@login_required
def title_list(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    params = {"q": request.GET.get("q", "").strip(),
              "status": request.GET.get("status", TitleStatus.ACTIVE).strip(),
              "grade": request.GET.get("grade", "").strip()}
    return render(request, "evaluation/title_list.html", {
        "tab": "titles", "params": params, "statuses": TitleStatus.choices,
        "grades": Grade.choices, "qs": querystring_without_page(request),
        "page": paginate(request, selectors.title_list(viewer=request.user, **params))})


@login_required
def titles_public(request: HttpRequest) -> HttpResponse:
    """The public list of titled unions: any signed-in user."""
    params = {"q": request.GET.get("q", "").strip(), "grade": request.GET.get("grade", "")}
    return render(request, "evaluation/titles_public.html", {
        "params": params, "grades": Grade.choices, "qs": querystring_without_page(request),
        "page": paginate(request, selectors.public_titles(q=params["q"],
                                                          grade=params["grade"]))})


@login_required
def titles_due(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    days = int_param(request, "days") or 90
    return render(request, "evaluation/due.html", {
        "tab": "due", "days": days, "today": clock.today(),
        "page": paginate(request, selectors.titles_due(viewer=request.user,
                                                       within_days=min(days, 3650)))})


def _title_page(request: HttpRequest, title: Any, *, status: int = 200,
                **forms: Any) -> HttpResponse:
    title.refresh_from_db()
    active = title.status == TitleStatus.ACTIVE
    superior = can_write(request.user, title.org) and is_superior(request.user, title.org)
    return render(request, "evaluation/title_detail.html", {
        "tab": "titles", "title": title, "history": title.history.all(),
        "can_act": active and superior,
        "withdraw_form": forms.get("withdraw_form") or ReasonForm(),
        "downgrade_form": forms.get("downgrade_form") or DowngradeForm(),
    }, status=status)


@login_required
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _title_page(request, access_title(request.user, pk))


@login_required
@require_POST
def title_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    title = access_title(request.user, pk, review=True)
    if action == "downgrade":
        dform = DowngradeForm(posted(request))
        if not dform.is_valid():
            return _title_page(request, title, status=400, downgrade_form=dform)
        outcome = run_service(request, lambda: title_svc.title_downgrade(
            title=title, grade=dform.cleaned_data["grade"], reason=dform.cleaned_data["reason"],
            actor=request.user), success=_("称号已降级。"))
    elif action in ("withdraw", "veto"):
        form = ReasonForm(posted(request))
        if not form.is_valid():
            return _title_page(request, title, status=400, withdraw_form=form)
        reason = form.cleaned_data["reason"]
        outcome = run_service(request, (
            (lambda: title_svc.veto_event_record(title=title, event=reason, actor=request.user))
            if action == "veto" else
            (lambda: title_svc.title_withdraw(title=title, reason=reason, actor=request.user))),
            success=_("称号已撤销。"))
    else:
        raise NotFound()
    if outcome.ok:
        return redirect("evaluation:titles")
    return _title_page(request, title, status=outcome.status)

