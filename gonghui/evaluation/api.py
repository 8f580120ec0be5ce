"""The JSON API of evaluation (mounted at /api/v1/evaluation): every list and every action,
through the same permissions, selectors and services as the pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.bounds import Day, Days, Year, Years
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.evaluation import selectors
from gonghui.evaluation.models import Item, Rating, Scheme, Title
from gonghui.evaluation.permissions import (
    access_rating,
    access_scheme,
    access_title,
    require_evaluation_page,
)
from gonghui.evaluation.services import ratings as rating_svc
from gonghui.evaluation.services import schemes as scheme_svc
from gonghui.evaluation.services import scores as score_svc
from gonghui.evaluation.services import titles as title_svc
from gonghui.orgs.models import Org

router = Router()
READ, WRITE = Capability.EVALUATION_READ, Capability.EVALUATION_WRITE


def _org(user: Any, code: str) -> Org:
    """An org by code within the viewer's evaluation.read subtrees (404 otherwise)."""
    org = scope(Org.objects.filter(code=code), user, READ).first()
    if org is None:
        raise NotFound()
    return org


# --- schemas -------------------------------------------------------------------------------

class ItemSchema(Schema):
    title: str
    max_points: Decimal
    evidence: str = ""


class SectionSchema(Schema):
    title: str
    items: list[ItemSchema]


class SchemeIn(Schema):
    org: str
    name: str
    year: Year
    sections: list[SectionSchema]
    thresholds: dict[str, Decimal]
    vetoes: list[str] = []
    rerating_years: Years = 3
    for_branches: bool = False


class SchemeOut(Schema):
    id: int
    org: str
    name: str
    year: int
    rerating_years: int
    for_branches: bool
    active: bool


def scheme_out(s: Scheme) -> dict[str, Any]:
    return {"id": s.pk, "org": s.org.code, "name": s.name, "year": s.year,
            "rerating_years": s.rerating_years, "for_branches": s.for_branches,
            "active": s.active}


class RatingIn(Schema):
    scheme: int
    org: str


class ScoreIn(Schema):
    item: int
    score: Decimal | None = None
    note: str = ""


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ReviewIn(Schema):
    vetoes: dict[int, str] = {}
    note: str = ""


class ReasonIn(Schema):
    reason: str


class OnsiteIn(Schema):
    on: Day
    by: str
    note: str


class PublicizeIn(Schema):
    org: str
    title: str
    working_days: Days = 5
    ratings: list[int]


class EvidenceIn(Schema):
    item: int
    name: str
    content_base64: str


class RatingOut(Schema):
    id: int
    scheme: int
    org: str
    org_name: str
    year: int
    status: str
    self_total: Decimal
    review_total: Decimal | None
    vetoed: bool
    grade: str
    recheck_of: int | None


def rating_out(r: Rating) -> dict[str, Any]:
    return {"id": r.pk, "scheme": r.scheme_id, "org": r.org.code, "org_name": r.org.name,
            "year": r.year, "status": r.status, "self_total": r.self_total,
            "review_total": r.review_total, "vetoed": r.vetoed, "grade": r.grade,
            "recheck_of": r.recheck_of_id}


class TitleOut(Schema):
    id: int
    org: str
    org_name: str
    grade: str
    conferred_on: dt.date
    valid_until: dt.date
    status: str
    end_reason: str


def title_out(t: Title) -> dict[str, Any]:
    return {"id": t.pk, "org": t.org.code, "org_name": t.org.name, "grade": t.grade,
            "conferred_on": t.conferred_on, "valid_until": t.valid_until, "status": t.status,
            "end_reason": t.end_reason}


class DowngradeIn(Schema):
    grade: str
    reason: str


class OkOut(Schema):
    ok: bool


class ThirdPartyIn(Schema):
    org: str
    year: Year
    evaluator: str
    score: Decimal


class ImportIn(Schema):
    org: str
    filename: str
    content_base64: str


class ThirdPartyImportOut(Schema):
    saved: int
    errors: list[str]


class WeightsIn(Schema):
    org: str
    year: Year
    self_weight: int
    satisfaction_weight: int
    third_party_weight: int


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApplicationError(_("content_base64 不是有效的 Base64 编码。"), code="bad_base64") from None


# --- schemes and ratings -------------------------------------------------------------------

@router.get("/schemes", response=Page[SchemeOut])
def list_schemes(request: HttpRequest, paging: Query[PageParams], q: str = "",
                 year: Year | None = None):
    require_evaluation_page(request.user)
    return paginate(request, selectors.scheme_list(viewer=request.user, q=q, year=year), paging,
                    item=scheme_out)


@router.post("/schemes", response={201: SchemeOut}, openapi_extra=body_schema(SchemeIn))
def create_scheme(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, SchemeIn)
    scheme = scheme_svc.scheme_create(
        org=_org(request.user, data.org), name=data.name, year=data.year,
        sections=[scheme_svc.SectionIn(s.title, [scheme_svc.ItemIn(i.title, i.max_points,
                                                                   i.evidence) for i in s.items])
                  for s in data.sections],
        thresholds=data.thresholds, vetoes=data.vetoes, rerating_years=data.rerating_years,
        for_branches=data.for_branches, actor=request.user)
    return Status(201, scheme_out(scheme))


@router.get("/schemes/{scheme_id}", response=SchemeOut)
def get_scheme(request: HttpRequest, scheme_id: int):
    return scheme_out(access_scheme(request.user, scheme_id))


@router.get("/ratings", response=Page[RatingOut])
def list_ratings(request: HttpRequest, paging: Query[PageParams], q: str = "", status: str = "",
                 year: Year | None = None, scheme: int | None = None):
    require_evaluation_page(request.user)
    rows = selectors.rating_list(viewer=request.user, q=q, status=status, year=year,
                                 scheme=scheme)
    return paginate(request, rows, paging, item=rating_out)


@router.post("/ratings", response={201: RatingOut}, openapi_extra=body_schema(RatingIn))
def open_rating(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, RatingIn)
    scheme = access_scheme(request.user, data.scheme)
    rating = rating_svc.rating_open(scheme=scheme, org=_org(request.user, data.org),
                                    actor=request.user)
    return Status(201, rating_out(rating))


@router.get("/ratings/{rating_id}", response=RatingOut)
def get_rating(request: HttpRequest, rating_id: int):
    return rating_out(access_rating(request.user, rating_id))


def _scores(data: ScoresIn) -> dict[int, tuple[Any, str]]:
    return {s.item: (s.score, s.note) for s in data.scores}


@router.post("/ratings/{rating_id}/self-scores", response=RatingOut,
             openapi_extra=body_schema(ScoresIn))
def save_self_scores(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, write=True)
    data = parse_body(request, ScoresIn)
    return rating_out(rating_svc.self_scores_save(rating=rating, scores=_scores(data),
                                                  actor=request.user))


@router.post("/ratings/{rating_id}/evidence", response={201: OkOut},
             openapi_extra=body_schema(EvidenceIn))
def add_evidence(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, write=True)
    data = parse_body(request, EvidenceIn)
    item = Item.objects.filter(pk=data.item, section__scheme=rating.scheme_id).first()
    if item is None:
        raise ApplicationError(_("评分项不属于本方案。"), code="item_unknown")
    rating_svc.evidence_add(rating=rating, item=item, actor=request.user,
                            upload=SimpleUploadedFile(data.name, _b64(data.content_base64)))
    return Status(201, {"ok": True})


@router.post("/ratings/{rating_id}/submit", response=RatingOut)
def submit_rating(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, write=True)
    return rating_out(rating_svc.rating_submit(rating=rating, actor=request.user))


@router.post("/ratings/{rating_id}/review-scores", response=RatingOut,
             openapi_extra=body_schema(ScoresIn))
def save_review_scores(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, review=True)
    data = parse_body(request, ScoresIn)
    return rating_out(rating_svc.review_scores_save(rating=rating, scores=_scores(data),
                                                    actor=request.user))


@router.post("/ratings/{rating_id}/review", response=RatingOut,
             openapi_extra=body_schema(ReviewIn))
def complete_review(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, review=True)
    data = parse_body(request, ReviewIn)
    return rating_out(rating_svc.review_complete(rating=rating, vetoes=data.vetoes,
                                                 note=data.note, actor=request.user))


@router.post("/ratings/{rating_id}/return", response=RatingOut,
             openapi_extra=body_schema(ReasonIn))
def return_rating(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, review=True)
    data = parse_body(request, ReasonIn)
    return rating_out(rating_svc.rating_return(rating=rating, reason=data.reason,
                                               actor=request.user))


@router.post("/ratings/{rating_id}/onsite", response=RatingOut,
             openapi_extra=body_schema(OnsiteIn))
def record_onsite(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, review=True)
    data = parse_body(request, OnsiteIn)
    return rating_out(rating_svc.onsite_record(rating=rating, on=data.on, by=data.by,
                                               note=data.note, actor=request.user))


@router.post("/ratings/{rating_id}/decide", response=RatingOut)
def decide_rating(request: HttpRequest, rating_id: int):
    rating = access_rating(request.user, rating_id, review=True)
    return rating_out(rating_svc.rating_decide(rating=rating, actor=request.user))


@router.post("/publicize", response={201: OkOut}, openapi_extra=body_schema(PublicizeIn))
def publicize(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, PublicizeIn)
    ratings = [access_rating(request.user, pk, review=True) for pk in data.ratings]
    rating_svc.ratings_publicize(ratings=ratings, org=_org(request.user, data.org),
                                 title=data.title, working_days=data.working_days,
                                 actor=request.user)
    return Status(201, {"ok": True})


# --- titles --------------------------------------------------------------------------------

@router.get("/titles", response=Page[TitleOut])
def list_titles(request: HttpRequest, paging: Query[PageParams], q: str = "",
                status: str = "active", grade: str = ""):
    require_evaluation_page(request.user)
    return paginate(request, selectors.title_list(viewer=request.user, q=q, status=status,
                                                  grade=grade), paging, item=title_out)


@router.get("/titles/public", response=Page[TitleOut])
def list_public_titles(request: HttpRequest, paging: Query[PageParams], q: str = "",
                       grade: str = ""):
    return paginate(request, selectors.public_titles(q=q, grade=grade), paging, item=title_out)


@router.get("/titles/due", response=Page[TitleOut])
def list_due_titles(request: HttpRequest, paging: Query[PageParams], days: Days = 90):
    require_evaluation_page(request.user)
    return paginate(request, selectors.titles_due(viewer=request.user,
                                                  within_days=max(0, min(days, 3650))),
                    paging, item=title_out)


@router.get("/titles/{title_id}", response=TitleOut)
def get_title(request: HttpRequest, title_id: int):
    return title_out(access_title(request.user, title_id))


@router.post("/titles/{title_id}/withdraw", response=TitleOut,
             openapi_extra=body_schema(ReasonIn))
def withdraw_title(request: HttpRequest, title_id: int):
    title = access_title(request.user, title_id, review=True)
    data = parse_body(request, ReasonIn)
    return title_out(title_svc.title_withdraw(title=title, reason=data.reason,
                                              actor=request.user))


@router.post("/titles/{title_id}/veto", response=TitleOut, openapi_extra=body_schema(ReasonIn))
def veto_title(request: HttpRequest, title_id: int):
    title = access_title(request.user, title_id, review=True)
    data = parse_body(request, ReasonIn)
    return title_out(title_svc.veto_event_record(title=title, event=data.reason,
                                                 actor=request.user))


@router.post("/titles/{title_id}/downgrade", response=TitleOut,
             openapi_extra=body_schema(DowngradeIn))
def downgrade_title(request: HttpRequest, title_id: int):
    title = access_title(request.user, title_id, review=True)
    data = parse_body(request, DowngradeIn)
    return title_out(title_svc.title_downgrade(title=title, grade=data.grade,
                                               reason=data.reason, actor=request.user))


# --- scores --------------------------------------------------------------------------------

@router.post("/third-party", response={201: OkOut}, openapi_extra=body_schema(ThirdPartyIn))
def set_third_party(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, ThirdPartyIn)
    score_svc.third_party_set(org=_org(request.user, data.org), year=data.year,
                              evaluator=data.evaluator, score=data.score, actor=request.user)
    return Status(201, {"ok": True})


@router.post("/third-party/import", response=ThirdPartyImportOut, openapi_extra=body_schema(ImportIn))
def import_third_party(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, ImportIn)
    report = score_svc.third_party_import(root=_org(request.user, data.org),
                                          data=_b64(data.content_base64),
                                          filename=data.filename, actor=request.user)
    if report.errors:
        raise ApplicationError("；".join(report.errors[:20]), code="import_errors",
                               extra={"errors": report.errors})
    return {"saved": report.saved, "errors": []}


@router.post("/weights", response={201: OkOut}, openapi_extra=body_schema(WeightsIn))
def set_weights(request: HttpRequest):
    require_capability(request.user, WRITE)
    data = parse_body(request, WeightsIn)
    score_svc.weights_set(org=_org(request.user, data.org), year=data.year,
                          self_weight=data.self_weight,
                          satisfaction_weight=data.satisfaction_weight,
                          third_party_weight=data.third_party_weight, actor=request.user)
    return Status(201, {"ok": True})


@router.get("/ranking")
def ranking(request: HttpRequest, org: str, year: Year) -> dict[str, Any]:
    require_evaluation_page(request.user)
    root = _org(request.user, org)
    weights, rows = selectors.ranking(root=root, year=year)
    return {"weights": {"self": weights.self_weight,
                        "satisfaction": weights.satisfaction_weight,
                        "third_party": weights.third_party_weight},
            "rows": [{"rank": r.rank, "org": r.org.code, "org_name": r.org.name,
                      "self_score": r.self_score, "satisfaction": r.satisfaction,
                      "third_party": r.third_party, "score": r.score} for r in rows]}


# The survey endpoints live in their own module (this file would pass 600 lines); importing it
# registers them on `router`.
from gonghui.evaluation import api_surveys  # noqa: E402, F401
