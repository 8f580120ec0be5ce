"""Pages of competitions: list, create, entries, scores, stages, ranking, certificates; and of
innovation studios and results."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.awards import exports, selectors
from gonghui.awards.forms import (
    CompetitionForm,
    EntryForm,
    RatingForm,
    ResultForm,
    ScoreForm,
    SkillForm,
    StudioForm,
)
from gonghui.awards.models import CompetitionKind, Stage, StudioLevel
from gonghui.awards.permissions import (
    access_awards_org,
    access_competition,
    access_entry,
    access_studio,
)
from gonghui.awards.services import competitions as svc
from gonghui.awards.services import studios as studio_svc
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service
from gonghui.members.choices import SkillLevel

READ, WRITE = Capability.AWARDS_READ, Capability.AWARDS_WRITE


def parse_criteria(text: str) -> list[tuple[str, Decimal, Decimal]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        try:
            out.append((parts[0], Decimal(parts[1]), Decimal(parts[2] if len(parts) > 2
                                                              else "1")))
        except (IndexError, InvalidOperation) as exc:
            raise ApplicationError(_("评分项第 {n} 行格式应为“名称,满分,权重”。").format(n=number),
                                   code="criteria", extra={"field": "criteria"}) from exc
    return out


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "year")}
    rows = selectors.competition_list(viewer=request.user, **params)
    return render(request, "awards/competition_list.html", {
        "page": paginate(request, rows), "params": params, "kinds": CompetitionKind.choices,
        "statuses": Stage.choices, "qs": querystring_without_page(request),
        "tab": "competitions", "can_create": has_capability(request.user, WRITE)})


@login_required
def competition_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = selectors.writable_orgs(request.user)
    form = CompetitionForm(posted(request), initial={
        "year": clock.today().year, "org": orgs[0].code if orgs else ""})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org = access_awards_org(request.user, d.pop("org"))

        def create() -> object:
            return svc.competition_create(org=org, actor=request.user,
                                          criteria=parse_criteria(d.pop("criteria")), **d)
        outcome = run_service(request, create, form=form, success=_("竞赛已创建，开始报名。"))
        if outcome.ok and outcome.value is not None:
            return redirect("awards:competition", outcome.value.pk)  # type: ignore[attr-defined]
    return render(request, "awards/form.html", {
        "form": form, "title": _("新建竞赛"), "tab": "competitions", "orgs": orgs},
        status=form_status(form, outcome))


@login_required
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comp = access_competition(request.user, pk)
    return render(request, "awards/competition_detail.html", {
        "c": comp, "criteria": comp.criteria.all(),
        "entries": comp.entries.select_related("union"),
        "ranking": svc.ranking(comp) if comp.status != Stage.REGISTRATION else [],
        "can_write": has_capability(request.user, WRITE, comp.org),
        "can_enter": has_capability(request.user, WRITE),
        "entry_form": EntryForm(), "skill_levels": [c for c in SkillLevel.choices if c[0]],
        "tab": "competitions"})


def _back(request: HttpRequest, pk: int, outcome: Outcome | None = None,
          status: int = 400) -> HttpResponse:
    if outcome is not None and outcome.ok:
        return redirect("awards:competition", pk)
    response = competition_detail(request, pk)
    response.status_code = outcome.status if outcome is not None else status
    return response


@login_required
@require_POST
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    comp = access_competition(request.user, pk)
    require_capability(request.user, WRITE, read=READ)
    form = EntryForm(request.POST)
    if not form.is_valid() or not (form.cleaned_data["member"]
                                   or form.cleaned_data["team_name"]):
        messages.error(request, _("请填写参赛会员或队伍。"))
        return _back(request, pk)
    d = form.cleaned_data
    person, union = None, None
    if comp.team:
        union = access_awards_org(request.user, d["union"] or comp.org.code)
    else:
        person, problem = selectors.find_member(comp.org_path, d["member"])
        if person is None:
            messages.error(request, problem)
            return _back(request, pk)
    outcome = run_service(request, lambda: svc.entry_add(
        competition=comp, actor=request.user, person=person, union=union,
        team_name=d["team_name"], team_members=d["team_members"]), success=_("已报名。"))
    return _back(request, pk, outcome)


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    comp = access_competition(request.user, pk, write=True)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择选手、评分项并填写得分。"))
        return _back(request, pk)
    d = form.cleaned_data
    entry = access_entry(request.user, comp, d["entry"])
    criterion = comp.criteria.filter(pk=d["criterion"]).first()
    if criterion is None:
        raise NotFound()
    outcome = run_service(request, lambda: svc.score_record(
        entry=entry, criterion=criterion, score=d["score"], actor=request.user),
        success=_("得分已录入。"))
    return _back(request, pk, outcome)


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    comp = access_competition(request.user, pk, write=True)
    if request.POST.get("to", "") != {"registration": "preliminaries",
                                      "preliminaries": "finals",
                                      "finals": "published"}.get(comp.status):
        messages.error(request, _("页面已过期，请刷新后再操作。"))
        return _back(request, pk)
    raw = request.POST.get("finalists", "").strip()
    outcome = run_service(request, lambda: svc.competition_advance(
        competition=comp, actor=request.user, finalists=int(raw) if raw.isdigit() else None),
        success=_("已进入下一阶段。"))
    return _back(request, pk, outcome)


@login_required
@require_POST
def skill_upgrade(request: HttpRequest, pk: int) -> HttpResponse:
    comp = access_competition(request.user, pk, write=True)
    form = SkillForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择选手和技能等级。"))
        return _back(request, pk)
    entry = access_entry(request.user, comp, form.cleaned_data["entry"])
    outcome = run_service(request, lambda: svc.skill_upgrade_record(
        entry=entry, level=form.cleaned_data["level"], actor=request.user),
        success=_("技能晋级已记入会员档案。"))
    return _back(request, pk, outcome)


@login_required
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    comp = access_competition(request.user, pk)
    if comp.status != Stage.PUBLISHED:
        messages.error(request, _("结果发布后才能打印证书。"))
        return _back(request, pk, status=409)
    rows = [r for r in svc.ranking(comp) if r.rank <= 3]
    response = HttpResponse(exports.certificates_pdf(comp, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificates-{comp.pk}.pdf"'
    return response


# --- studios and results -----------------------------------------------------------------

@login_required
def studio_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "level")}
    rows = selectors.studio_list(viewer=request.user, **params)
    return render(request, "awards/studio_list.html", {
        "page": paginate(request, rows), "params": params, "levels": StudioLevel.choices,
        "qs": querystring_without_page(request), "tab": "studios",
        "can_create": has_capability(request.user, WRITE)})


@login_required
def studio_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = selectors.writable_orgs(request.user)
    form = StudioForm(posted(request), initial={"founded_year": clock.today().year,
                                                "org": orgs[0].code if orgs else ""})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org = access_awards_org(request.user, d.pop("org"))
        outcome = run_service(request, lambda: studio_svc.studio_create(
            org=org, actor=request.user, **d), form=form, success=_("创新工作室已登记。"))
        if outcome.ok and outcome.value is not None:
            return redirect("awards:studio", outcome.value.pk)
    return render(request, "awards/form.html", {
        "form": form, "title": _("登记创新工作室"), "tab": "studios", "orgs": orgs},
        status=form_status(form, outcome))


@login_required
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    studio = access_studio(request.user, pk)
    return render(request, "awards/studio_detail.html", {
        "s": studio, "ratings": studio.ratings.all(), "results": studio.results.all(),
        "form": RatingForm(initial={"year": clock.today().year}),
        "can_write": has_capability(request.user, WRITE, studio.org), "tab": "studios"})


@login_required
@require_POST
def studio_rate(request: HttpRequest, pk: int) -> HttpResponse:
    studio = access_studio(request.user, pk, write=True)
    form = RatingForm(request.POST)
    outcome: Outcome | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: studio_svc.studio_rate(
            studio=studio, actor=request.user, **form.cleaned_data), success=_("评级已保存。"))
        if outcome.ok:
            return redirect("awards:studio", studio.pk)
    else:
        messages.error(request, _("请填写年度和评级。"))
    response = studio_detail(request, pk)
    response.status_code = outcome.status if outcome else 400
    return response


@login_required
def result_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year")}
    rows = selectors.result_list(viewer=request.user, **params)
    return render(request, "awards/result_list.html", {
        "page": paginate(request, rows), "params": params,
        "qs": querystring_without_page(request), "tab": "studios",
        "can_create": has_capability(request.user, WRITE)})


@login_required
def result_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = selectors.writable_orgs(request.user)
    form = ResultForm(posted(request), initial={"year": clock.today().year,
                                                "org": orgs[0].code if orgs else ""})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org = access_awards_org(request.user, d.pop("org"))
        studio_id = d.pop("studio")
        studio = access_studio(request.user, studio_id) if studio_id else None
        outcome = run_service(request, lambda: studio_svc.result_create(
            org=org, actor=request.user, studio=studio, **d), form=form,
            success=_("创新成果已登记。"))
        if outcome.ok:
            return redirect("awards:results")
    return render(request, "awards/form.html", {
        "form": form, "title": _("登记职工创新成果"), "tab": "studios", "orgs": orgs},
        status=form_status(form, outcome))
