"""Route-table entries and world objects of evaluation (建家评家, surveys, scores).

World: a district scheme in SH-A and SH-B; a draft rating (with one evidence file) and a
conferred title of each district's union; a draft survey of each district with one question;
an open survey of SH-A-1-1 to which the worker persona is invited ("own")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import R, form, get, ids, op, post
from tests.matrix.world import DISTRICT, SIDES, UNION, Obj, World, admin, builder

R_, W_ = C.EVALUATION_READ, C.EVALUATION_WRITE
PDF = b"%PDF-1.4 evidence"


def _scheme(world: World, side: str, name: str = "职工之家评定方案"):
    from gonghui.evaluation.models import Grade
    from gonghui.evaluation.services.schemes import ItemIn, SectionIn, scheme_create

    return scheme_create(
        org=world.orgs[DISTRICT[side]], name=name, year=2026, actor=admin(world),
        sections=[SectionIn("组织建设", [ItemIn("组织健全", Decimal("60"), "批复"),
                                         ItemIn("会员入会", Decimal("40"))])],
        thresholds={Grade.MODEL: Decimal("90"), Grade.QUALIFIED: Decimal("60")},
        vetoes=["发生重大安全生产事故"])


@builder("eval_scheme")
def _schemes(world: World) -> dict[str, Obj]:
    return {s: Obj(_scheme(world, s).pk, DISTRICT[s]) for s in SIDES}


@builder("eval_rating")
def _ratings(world: World) -> dict[str, Obj]:
    from gonghui.evaluation.models import Item, Scheme
    from gonghui.evaluation.services.ratings import evidence_add, rating_open

    out = {}
    for s in SIDES:
        scheme = Scheme.objects.get(org=world.orgs[DISTRICT[s]], name="职工之家评定方案")
        rating = rating_open(scheme=scheme, org=world.orgs[UNION[s]], actor=admin(world))
        item = Item.objects.get(section__scheme=scheme, title="组织健全")
        evidence = evidence_add(rating=rating, item=item, actor=admin(world),
                                upload=SimpleUploadedFile("批复.pdf", PDF))
        out[s] = Obj(rating.pk, UNION[s], {"evidence": evidence.pk})
    return out


@builder("eval_title")
def _titles(world: World) -> dict[str, Obj]:
    """A title conferred last year (built directly: the world stands on one day)."""
    from gonghui.evaluation.models import Grade, Rating, RatingStatus, Title

    out = {}
    for s in SIDES:
        scheme = _scheme(world, s, "上年度方案")
        rating = Rating.objects.create(scheme=scheme, org=world.orgs[UNION[s]],
                                       org_path=world.orgs[UNION[s]].path, year=2025,
                                       status=RatingStatus.CONFERRED, grade=Grade.MODEL,
                                       self_total=Decimal("95"), review_total=Decimal("95"))
        title = Title.objects.create(org=rating.org, org_path=rating.org_path, grade=Grade.MODEL,
                                     rating=rating, conferred_on=dt.date(2025, 10, 1),
                                     valid_until=dt.date(2028, 10, 1))
        out[s] = Obj(title.pk, UNION[s])
    return out


def _link(obj: Obj) -> dict[str, str]:
    from gonghui.evaluation.models import Survey
    from gonghui.evaluation.services.links import link_token

    return {"token": link_token(Survey.objects.get(pk=obj.pk))}


@builder("eval_survey")
def _surveys(world: World) -> dict[str, Obj]:
    from gonghui.evaluation.services.surveys import question_add, survey_create

    out = {}
    for s in SIDES:
        survey = survey_create(org=world.orgs[DISTRICT[s]], title="职工队伍状况调查", year=2026,
                               closes_on=dt.date(2026, 12, 31), actor=admin(world))
        question = question_add(survey=survey, kind="single", text="您的月收入",
                                options=["低", "高"], actor=admin(world))
        out[s] = Obj(survey.pk, DISTRICT[s], {"question": question.pk})
    return out


@builder("own_survey")
def _own_survey(world: World) -> dict[str, Obj]:
    """An open survey of SH-A-1-1, whose members (the worker among them) are invited."""
    from gonghui.evaluation.services.surveys import question_add, survey_create, survey_open

    survey = survey_create(org=world.orgs[UNION["A"]], title="会员满意度测评", year=2026,
                           closes_on=dt.date(2026, 12, 31), actor=admin(world),
                           kind="satisfaction")
    question_add(survey=survey, kind="text", text="建议", required=False, actor=admin(world))
    survey_open(survey=survey, actor=admin(world))
    own = Obj(survey.pk, UNION["A"], owner="worker")
    return {"A": own, "B": own, "worker": own}


PAGES = {
    "evaluation:home": get(R_),
    "evaluation:schemes": get(R_),
    "evaluation:scheme_new": form(W_),
    "evaluation:scheme": get(R_, "eval_scheme", reach_up=True),
    "evaluation:ratings": get(R_),
    "evaluation:rating_new": form(W_),
    "evaluation:publicize": form(W_),
    "evaluation:rating": get(R_, "eval_rating"),
    "evaluation:rating_self": post(W_, "eval_rating"),              # no scores → 400
    "evaluation:rating_evidence": post(W_, "eval_rating"),          # no file → 400
    "evaluation:evidence": get(R_, "eval_rating", kw=ids(pk="pk", eid="evidence")),
    "evaluation:rating_submit": post(W_, "eval_rating"),            # not scored → 400
    "evaluation:rating_review": post(W_, "eval_rating"),            # no scores → 400
    "evaluation:rating_review_complete": post(W_, "eval_rating", ok=409),   # still a draft
    "evaluation:rating_return": post(W_, "eval_rating"),            # no reason → 400
    "evaluation:rating_onsite": post(W_, "eval_rating"),            # empty form → 400
    "evaluation:rating_decide": post(W_, "eval_rating", ok=409),    # still a draft
    "evaluation:titles": get(R_),
    "evaluation:titles_public": get(access="login"),
    "evaluation:due": get(R_),
    "evaluation:title": get(R_, "eval_title"),
    "evaluation:title_action": post(W_, "eval_title", kw=ids(pk="pk", action="=withdraw")),
    "evaluation:surveys": get(R_),
    "evaluation:survey_new": form(W_),
    "evaluation:survey": get(R_, "eval_survey"),
    "evaluation:question_add": post(W_, "eval_survey"),            # empty form → 400
    "evaluation:survey_open": post(W_, "eval_survey", ok=302),     # the district's members
    "evaluation:survey_close": post(W_, "eval_survey", ok=409),    # a draft cannot close
    "evaluation:survey_results": get(R_, "eval_survey"),
    # fewer answers than the minimum group: no export, back to the results
    "evaluation:survey_export": get(R_, "eval_survey", ok=302),
    "evaluation:survey_report": get(R_, "eval_survey"),
    "evaluation:survey_qr": get(R_, "eval_survey"),
    # the answer link of workers without an account: public; the world's survey is a draft, so
    # the page says so (200) and any step is refused (409)
    "evaluation:link": (R(access="public", obj="eval_survey", method="GET", kw=_link),
                        R(access="public", obj="eval_survey", method="POST", ok=409, kw=_link)),
    "evaluation:third_party": form(W_, read_cap=R_),
    "evaluation:third_party_import": form(W_),
    "evaluation:weights": form(W_),
    "evaluation:ranking": get(R_),
    "evaluation:portal": get(access="login"),
    "evaluation:portal_answer": (R(access="own", obj="own_survey", method="GET"),
                                 R(access="own", obj="own_survey", method="POST")),
}

API: dict[str, R] = {
    "GET /evaluation/schemes": op(R_),
    "POST /evaluation/schemes": op(W_),
    "GET /evaluation/schemes/{scheme_id}": op(R_, "eval_scheme", reach_up=True),
    "GET /evaluation/ratings": op(R_),
    "POST /evaluation/ratings": op(W_),
    "GET /evaluation/ratings/{rating_id}": op(R_, "eval_rating"),
    "POST /evaluation/ratings/{rating_id}/self-scores": op(W_, "eval_rating"),
    "POST /evaluation/ratings/{rating_id}/evidence": op(W_, "eval_rating"),
    "POST /evaluation/ratings/{rating_id}/submit": op(W_, "eval_rating"),
    "POST /evaluation/ratings/{rating_id}/review-scores": op(W_, "eval_rating"),
    # an empty body is a complete request (no vetoes): refused, the rating is a draft
    "POST /evaluation/ratings/{rating_id}/review": op(W_, "eval_rating", ok=409),
    "POST /evaluation/ratings/{rating_id}/return": op(W_, "eval_rating"),
    "POST /evaluation/ratings/{rating_id}/onsite": op(W_, "eval_rating"),
    "POST /evaluation/ratings/{rating_id}/decide": op(W_, "eval_rating", ok=409),
    "POST /evaluation/publicize": op(W_),
    "GET /evaluation/titles": op(R_),
    "GET /evaluation/titles/public": op(access="login"),
    "GET /evaluation/titles/due": op(R_),
    "GET /evaluation/titles/{title_id}": op(R_, "eval_title"),
    "POST /evaluation/titles/{title_id}/withdraw": op(W_, "eval_title"),
    "POST /evaluation/titles/{title_id}/veto": op(W_, "eval_title"),
    "POST /evaluation/titles/{title_id}/downgrade": op(W_, "eval_title"),
    "GET /evaluation/surveys": op(R_),
    "POST /evaluation/surveys": op(W_),
    "GET /evaluation/surveys/{survey_id}": op(R_, "eval_survey"),
    "GET /evaluation/surveys/{survey_id}/questions": op(R_, "eval_survey"),
    "POST /evaluation/surveys/{survey_id}/questions": op(W_, "eval_survey"),
    "POST /evaluation/surveys/{survey_id}/open": op(W_, "eval_survey", ok=200),
    "POST /evaluation/surveys/{survey_id}/close": op(W_, "eval_survey", ok=409),
    "GET /evaluation/surveys/{survey_id}/rates": op(R_, "eval_survey"),
    "GET /evaluation/surveys/{survey_id}/results": op(R_, "eval_survey"),
    "GET /evaluation/surveys/{survey_id}/crosstab": op(
        R_, "eval_survey", query=lambda obj: {"question": obj.ids["question"] if obj else 0}),
    "GET /evaluation/surveys/{survey_id}/link": op(R_, "eval_survey"),
    "GET /evaluation/surveys/{survey_id}/report": op(R_, "eval_survey"),
    "GET /evaluation/my-surveys": op(access="login"),
    "POST /evaluation/my-surveys/{survey_id}/answer": op(access="own", obj="own_survey"),
    "POST /evaluation/third-party": op(W_),
    "POST /evaluation/third-party/import": op(W_),
    "POST /evaluation/weights": op(W_),
    "GET /evaluation/ranking": op(R_, query=lambda obj: {"org": "SH-A-1-1", "year": "2026"}),
}
