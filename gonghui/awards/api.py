"""The JSON API of awards (mounted at /api/v1/awards): the same services, selectors and access
functions as the pages. Writes gate first, then parse the body (`core.payload`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.awards import selectors
from gonghui.awards.api_schemas import (
    AdvanceIn,
    AwardNoticeOut,
    AwardSchemeOut,
    CareIn,
    CareOut,
    CompetitionDetail,
    CompetitionIn,
    CompetitionOut,
    CountOut,
    EntryIn,
    EntryOut,
    ForwardIn,
    HardshipIn,
    ModelWorkerDetail,
    ModelWorkerOut,
    NominationDetail,
    NominationIn,
    NominationOut,
    PublishIn,
    QuotaIn,
    QuotaOut,
    RatingIn,
    ReasonIn,
    ResubmitIn,
    ResultIn,
    ResultOut,
    SchemeDetail,
    SchemeIn,
    ScoreIn,
    StudioIn,
    StudioOut,
)
from gonghui.awards.models import (
    Competition,
    HonourScheme,
    ModelWorker,
    Nomination,
    Stage,
    Studio,
)
from gonghui.awards.permissions import (
    access_awards_org,
    access_competition,
    access_entry,
    access_model_worker,
    access_nomination,
    access_scheme,
    access_studio,
)
from gonghui.awards.services import competitions as comp_svc
from gonghui.awards.services import honours as svc
from gonghui.awards.services import register as reg_svc
from gonghui.awards.services import studios as studio_svc
from gonghui.core.errors import Conflict, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.members.models import Person

router = Router()
READ, WRITE = Capability.AWARDS_READ, Capability.AWARDS_WRITE


# --- converters ---------------------------------------------------------------------------

def _scheme(s: HonourScheme) -> dict[str, Any]:
    out = {k: getattr(s, k) for k in AwardSchemeOut.model_fields if k != "org"}
    out["org"] = s.org.code
    return out


def _nomination(n: Nomination) -> dict[str, Any]:
    out = {k: getattr(n, k) for k in NominationOut.model_fields if k not in ("union", "at_org")}
    out["union"], out["at_org"] = n.union.code, n.at_org.code
    return out


def _worker(w: ModelWorker) -> dict[str, Any]:
    out = {k: getattr(w, k) for k in ModelWorkerOut.model_fields if k != "union"}
    out["union"] = w.union.code
    return out


def _competition(c: Competition) -> dict[str, Any]:
    out = {k: getattr(c, k) for k in CompetitionOut.model_fields if k != "org"}
    out["org"] = c.org.code
    return out


def _studio(s: Studio) -> dict[str, Any]:
    out = {k: getattr(s, k) for k in StudioOut.model_fields if k != "org"}
    out["org"] = s.org.code
    return out


def _person(person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


# --- honours ------------------------------------------------------------------------------

@router.get("/schemes", response=Page[AwardSchemeOut])
def list_schemes(request: HttpRequest, paging: Query[PageParams], year: str = "",
                 kind: str = "", q: str = ""):
    require_capability(request.user, READ)
    rows = selectors.scheme_list(viewer=request.user, year=year, kind=kind, q=q)
    return paginate(request, rows, paging, item=_scheme)


@router.post("/schemes", response={201: AwardSchemeOut}, openapi_extra=body_schema(SchemeIn))
def create_scheme(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, SchemeIn).dict()
    org = access_awards_org(request.user, data.pop("org"))
    return Status(201, _scheme(svc.scheme_create(actor=request.user, org=org, **data)))


@router.get("/schemes/{scheme_id}", response=SchemeDetail)
def get_scheme(request: HttpRequest, scheme_id: int):
    s = access_scheme(request.user, scheme_id)
    out = _scheme(s)
    out["quotas"] = [{"org": q.org.code, "org_name": q.org.name, "quota": q.quota,
                      "used": q.used} for q in selectors.quota_use(s, request.user)]
    out["counts"] = selectors.scheme_counts(s, request.user)
    return out


@router.post("/schemes/{scheme_id}/quotas", response=QuotaOut, openapi_extra=body_schema(QuotaIn))
def set_quota(request: HttpRequest, scheme_id: int):
    s = access_scheme(request.user, scheme_id, write=True)
    data = parse_body(request, QuotaIn)
    org = access_awards_org(request.user, data.org)
    row = svc.quota_set(scheme=s, org=org, quota=data.quota, actor=request.user)
    return {"org": org.code, "org_name": org.name, "quota": row.quota, "used": row.used}


@router.post("/schemes/{scheme_id}/nominations", response={201: NominationOut},
             openapi_extra=body_schema(NominationIn))
def create_nomination(request: HttpRequest, scheme_id: int):
    s = access_scheme(request.user, scheme_id)
    require_capability(request.user, WRITE, read=READ)
    data = parse_body(request, NominationIn)
    union = access_awards_org(request.user, data.union, write=True)
    n = svc.nomination_create(
        scheme=s, union=union, actor=request.user, person=_person(data.person_id),
        name=data.name, unit_name=data.unit_name, category=data.category,
        job_title=data.job_title, deeds=data.deeds, deeds_summary=data.deeds_summary)
    return Status(201, _nomination(n))


@router.post("/schemes/{scheme_id}/forward", response=list[NominationOut],
             openapi_extra=body_schema(ForwardIn))
def forward_list(request: HttpRequest, scheme_id: int):
    s = access_scheme(request.user, scheme_id)
    require_capability(request.user, WRITE, read=READ)
    data = parse_body(request, ForwardIn)
    org = access_awards_org(request.user, data.org)
    rows = svc.list_forward(scheme=s, org=org, nomination_ids=data.nominations,
                            actor=request.user, note=data.note)
    return [_nomination(n) for n in rows]


@router.post("/schemes/{scheme_id}/publish", response={201: AwardNoticeOut},
             openapi_extra=body_schema(PublishIn))
def publish_notice(request: HttpRequest, scheme_id: int):
    s = access_scheme(request.user, scheme_id, write=True)
    data = parse_body(request, PublishIn)
    notice = svc.scheme_notice_publish(scheme=s, actor=request.user, start_date=data.start_date)
    return Status(201, {k: getattr(notice, k) for k in AwardNoticeOut.model_fields})


@router.post("/schemes/{scheme_id}/confer", response=CountOut)
def confer(request: HttpRequest, scheme_id: int):
    s = access_scheme(request.user, scheme_id, write=True)
    return {"count": svc.scheme_confer(scheme=s, actor=request.user)}


@router.get("/nominations", response=Page[NominationOut])
def list_nominations(request: HttpRequest, paging: Query[PageParams], scheme: str = "",
                     status: str = "", category: str = "", q: str = "", at_org: str = ""):
    require_capability(request.user, READ)
    s = access_scheme(request.user, scheme) if scheme else None
    org = access_awards_org(request.user, at_org) if at_org else None
    rows = selectors.nomination_list(viewer=request.user, scheme=s, status=status,
                                     category=category, q=q, at_org=org)
    return paginate(request, rows, paging, item=_nomination)


@router.get("/nominations/{nomination_id}", response=NominationDetail)
def get_nomination(request: HttpRequest, nomination_id: int):
    n = access_nomination(request.user, nomination_id)
    out = _nomination(n)
    out["deeds"] = n.deeds
    out["history"] = list(n.history.all())
    return out


@router.post("/nominations/{nomination_id}/return", response=NominationOut,
             openapi_extra=body_schema(ReasonIn))
def return_nomination(request: HttpRequest, nomination_id: int):
    n = access_nomination(request.user, nomination_id, write=True)
    data = parse_body(request, ReasonIn)
    return _nomination(svc.nomination_return(nomination=n, reason=data.reason,
                                             actor=request.user))


@router.post("/nominations/{nomination_id}/reject", response=NominationOut,
             openapi_extra=body_schema(ReasonIn))
def reject_nomination(request: HttpRequest, nomination_id: int):
    n = access_nomination(request.user, nomination_id, write=True)
    data = parse_body(request, ReasonIn)
    return _nomination(svc.nomination_reject(nomination=n, reason=data.reason,
                                             actor=request.user))


@router.post("/nominations/{nomination_id}/withdraw", response=NominationOut,
             openapi_extra=body_schema(ReasonIn))
def withdraw_nomination(request: HttpRequest, nomination_id: int):
    n = access_nomination(request.user, nomination_id)
    require_capability(request.user, WRITE, n.union)
    data = parse_body(request, ReasonIn)
    return _nomination(svc.nomination_withdraw(nomination=n, reason=data.reason,
                                               actor=request.user))


@router.post("/nominations/{nomination_id}/resubmit", response=NominationOut,
             openapi_extra=body_schema(ResubmitIn))
def resubmit_nomination(request: HttpRequest, nomination_id: int):
    n = access_nomination(request.user, nomination_id)
    require_capability(request.user, WRITE, n.union)
    data = parse_body(request, ResubmitIn)
    return _nomination(svc.nomination_resubmit(nomination=n, actor=request.user,
                                               deeds=data.deeds,
                                               deeds_summary=data.deeds_summary,
                                               note=data.note))


# --- register -----------------------------------------------------------------------------

@router.get("/register", response=Page[ModelWorkerOut])
def list_register(request: HttpRequest, paging: Query[PageParams], q: str = "", due: str = ""):
    require_capability(request.user, READ)
    rows = selectors.model_worker_list(viewer=request.user, q=q, due=due)
    return paginate(request, rows, paging, item=_worker)


@router.get("/register/{worker_id}", response=ModelWorkerDetail)
def get_model_worker(request: HttpRequest, worker_id: int):
    w = access_model_worker(request.user, worker_id)
    out = _worker(w)
    out["honours"] = list(w.honours.all())
    out["care"] = list(w.care.all()[:200])
    return out


@router.post("/register/{worker_id}/care", response={201: CareOut},
             openapi_extra=body_schema(CareIn))
def add_care(request: HttpRequest, worker_id: int):
    w = access_model_worker(request.user, worker_id, write=True)
    data = parse_body(request, CareIn)
    return Status(201, reg_svc.care_record(worker=w, actor=request.user, **data.dict()))


@router.post("/register/{worker_id}/hardship", response={201: CareOut},
             openapi_extra=body_schema(HardshipIn))
def hardship(request: HttpRequest, worker_id: int):
    w = access_model_worker(request.user, worker_id, write=True)
    data = parse_body(request, HardshipIn)
    return Status(201, reg_svc.hardship_help(worker=w, actor=request.user, note=data.note))


# --- competitions -------------------------------------------------------------------------

@router.get("/competitions", response=Page[CompetitionOut])
def list_competitions(request: HttpRequest, paging: Query[PageParams], q: str = "",
                      kind: str = "", status: str = "", year: str = ""):
    require_capability(request.user, READ)
    rows = selectors.competition_list(viewer=request.user, q=q, kind=kind, status=status,
                                      year=year)
    return paginate(request, rows, paging, item=_competition)


@router.post("/competitions", response={201: CompetitionOut},
             openapi_extra=body_schema(CompetitionIn))
def create_competition(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, CompetitionIn).dict()
    org = access_awards_org(request.user, data.pop("org"))
    criteria = [(c["name"], c["max_score"], c["weight"]) for c in data.pop("criteria")]
    return Status(201, _competition(comp_svc.competition_create(
        org=org, actor=request.user, criteria=criteria, **data)))


@router.get("/competitions/{competition_id}", response=CompetitionDetail)
def get_competition(request: HttpRequest, competition_id: int):
    c = access_competition(request.user, competition_id)
    out = _competition(c)
    out["criteria"] = [{"id": k.pk, "name": k.name, "max_score": str(k.max_score),
                        "weight": str(k.weight)} for k in c.criteria.all()]
    out["ranking"] = [{"entry_id": r.entry.pk, "name": r.entry.name, "rank": r.rank,
                       "total": r.total, "by_criterion": r.by_criterion}
                      for r in comp_svc.ranking(c)]
    return out


@router.post("/competitions/{competition_id}/entries", response={201: EntryOut},
             openapi_extra=body_schema(EntryIn))
def add_entry(request: HttpRequest, competition_id: int):
    c = access_competition(request.user, competition_id)
    require_capability(request.user, WRITE, read=READ)
    data = parse_body(request, EntryIn)
    union = access_awards_org(request.user, data.union) if data.union else None
    e = comp_svc.entry_add(competition=c, actor=request.user, person=_person(data.person_id),
                           union=union, team_name=data.team_name,
                           team_members=data.team_members)
    return Status(201, {"id": e.pk, "name": e.name, "union": e.union.code})


@router.post("/competitions/{competition_id}/scores", response=CountOut,
             openapi_extra=body_schema(ScoreIn))
def add_score(request: HttpRequest, competition_id: int):
    c = access_competition(request.user, competition_id, write=True)
    data = parse_body(request, ScoreIn)
    entry = access_entry(request.user, c, data.entry_id)
    criterion = c.criteria.filter(pk=data.criterion_id).first()
    if criterion is None:
        raise NotFound()
    comp_svc.score_record(entry=entry, criterion=criterion, score=data.score,
                          actor=request.user)
    return {"count": entry.scores.count()}


@router.post("/competitions/{competition_id}/advance", response=CompetitionOut,
             openapi_extra=body_schema(AdvanceIn))
def advance(request: HttpRequest, competition_id: int):
    c = access_competition(request.user, competition_id, write=True)
    data = parse_body(request, AdvanceIn)
    if data.to != {"registration": "preliminaries", "preliminaries": "finals",
                   "finals": "published"}.get(c.status):
        raise Conflict(_("竞赛当前阶段为“{s}”，不能变为“{t}”。").format(
            s=Stage(c.status).label, t=data.to), code="stage_mismatch")
    return _competition(comp_svc.competition_advance(competition=c, actor=request.user,
                                                     finalists=data.finalists))


# --- studios and results ------------------------------------------------------------------

@router.get("/studios", response=Page[StudioOut])
def list_studios(request: HttpRequest, paging: Query[PageParams], q: str = "", level: str = ""):
    require_capability(request.user, READ)
    return paginate(request, selectors.studio_list(viewer=request.user, q=q, level=level),
                    paging, item=_studio)


@router.post("/studios", response={201: StudioOut}, openapi_extra=body_schema(StudioIn))
def create_studio(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, StudioIn).dict()
    org = access_awards_org(request.user, data.pop("org"))
    lead_id = data.pop("lead_id")
    lead = access_model_worker(request.user, lead_id) if lead_id else None
    return Status(201, _studio(studio_svc.studio_create(org=org, actor=request.user, lead=lead,
                                                        **data)))


@router.post("/studios/{studio_id}/ratings", response=StudioOut,
             openapi_extra=body_schema(RatingIn))
def rate_studio(request: HttpRequest, studio_id: int):
    s = access_studio(request.user, studio_id, write=True)
    data = parse_body(request, RatingIn)
    studio_svc.studio_rate(studio=s, actor=request.user, **data.dict())
    return _studio(access_studio(request.user, studio_id))


@router.get("/results", response=Page[ResultOut])
def list_results(request: HttpRequest, paging: Query[PageParams], q: str = "", year: str = ""):
    require_capability(request.user, READ)
    return paginate(request, selectors.result_list(viewer=request.user, q=q, year=year), paging,
                    item=lambda r: {**{k: getattr(r, k) for k in ResultOut.model_fields
                                       if k != "org"}, "org": r.org.code})


@router.post("/results", response={201: ResultOut}, openapi_extra=body_schema(ResultIn))
def create_result(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, ResultIn).dict()
    org = access_awards_org(request.user, data.pop("org"))
    studio_id = data.pop("studio_id")
    studio = access_studio(request.user, studio_id) if studio_id else None
    r = studio_svc.result_create(org=org, actor=request.user, studio=studio, **data)
    return Status(201, {**{k: getattr(r, k) for k in ResultOut.model_fields if k != "org"},
                        "org": org.code})


@router.get("/dashboard", response=dict[str, Any])
def dashboard(request: HttpRequest):
    require_capability(request.user, READ)
    figures = selectors.dashboard(viewer=request.user)
    figures.pop("status_labels")
    return figures
