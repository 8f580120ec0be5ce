"""建家评家: grade thresholds and vetoes at their edges, the workflow with history, 公示 through
the notices app, conferral with validity, re-rating due dates, withdrawal and downgrade, and
"a union cannot review its own rating"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.evaluation import rules
from gonghui.evaluation.models import (
    Grade,
    ItemScore,
    Rating,
    RatingStatus,
    Title,
    TitleStatus,
    VetoItem,
)
from gonghui.evaluation.services import ratings as svc
from gonghui.evaluation.services import titles
from gonghui.evaluation.tests.conftest import make_scheme
from gonghui.notices.models import Notice
from gonghui.notices.services import notice_close, objection_decide, objection_submit

THRESHOLDS = {Grade.MODEL: Decimal("90"), Grade.ADVANCED: Decimal("80"),
              Grade.QUALIFIED: Decimal("60")}
PDF = b"%PDF-1.4 evidence"


@pytest.mark.parametrize(("total", "vetoed", "grade"), [
    ("90.00", False, Grade.MODEL), ("89.99", False, Grade.ADVANCED),
    ("80.00", False, Grade.ADVANCED), ("79.99", False, Grade.QUALIFIED),
    ("60.00", False, Grade.QUALIFIED), ("59.99", False, ""),
    ("100.00", True, ""), ("0", False, ""),
])
def test_grade_at_the_edges(total: str, vetoed: bool, grade: str) -> None:
    assert rules.grade_for(Decimal(total), THRESHOLDS, vetoed=vetoed) == grade


def _items(rating: Rating) -> dict[str, int]:
    return {s.item.title: s.item_id for s in ItemScore.objects.select_related("item")
            .filter(rating=rating)}


def _self_assess(rating: Rating, actor: Any, scores: tuple[str, str, str]) -> Rating:
    ids = _items(rating)
    svc.self_scores_save(rating=rating, actor=actor, scores={
        ids["组织健全"]: (scores[0], "批复齐全"), ids["会员入会"]: (scores[1], ""),
        ids["职代会制度"]: (scores[2], "")})
    item = rating.scheme.sections.first().items.get(title="组织健全")
    svc.evidence_add(rating=rating, item=item, actor=actor,
                     upload=SimpleUploadedFile("批复.pdf", PDF, content_type="application/pdf"))
    return svc.rating_submit(rating=rating, actor=actor)


def _through_check(rating: Rating, reviewer: Any, *, vetoes: dict[int, str] | None = None,
                   adjust: dict[int, tuple[str, str]] | None = None) -> Rating:
    if adjust:
        svc.review_scores_save(rating=rating, scores=adjust, actor=reviewer)
    svc.review_complete(rating=rating, vetoes=vetoes or {}, actor=reviewer)
    return svc.onsite_record(rating=rating, on=dt.date(2026, 3, 2), by="张三、李四",
                             note="台账齐全，职工之家阵地整洁", actor=reviewer)


def test_full_round_confers_a_title_after_the_notice(tree, scheme, cadre_a11, street_cadre,
                                                     district_cadre) -> None:
    rating = svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    rating = _self_assess(rating, cadre_a11, ("30", "20", "45"))
    assert rating.status == RatingStatus.SUBMITTED
    assert Rating.objects.get(pk=rating.pk).self_total == Decimal("95.00")
    ids = _items(rating)
    # the street lowers one item with a reason: the total is recomputed, never typed
    _through_check(rating, street_cadre, adjust={ids["职代会制度"]: ("38", "职代会记录不全")})
    rating.refresh_from_db()
    assert rating.review_total == Decimal("88.00")
    rating = svc.rating_decide(rating=rating, actor=street_cadre)
    assert (rating.status, rating.grade) == (RatingStatus.DECIDED, Grade.ADVANCED)
    notice = svc.ratings_publicize(ratings=[rating], org=tree["SH-A"], title="2026年职工之家公示",
                                   working_days=5, actor=district_cadre)
    assert notice.end_date == dt.date(2026, 3, 6)
    assert notice.items.get().text == "甲一公司工会 先进职工之家 88.00分"
    with clock.frozen(dt.datetime(2026, 3, 9, 9, 0)):
        notice_close(notice=notice, actor=district_cadre)
    title = Title.objects.get(org=tree["SH-A-1-1"])
    assert (title.grade, title.status, title.conferred_on, title.valid_until) == (
        Grade.ADVANCED, TitleStatus.ACTIVE, dt.date(2026, 3, 9), dt.date(2029, 3, 9))
    rating.refresh_from_db()
    assert rating.status == RatingStatus.CONFERRED
    assert list(rating.history.values_list("to_status", flat=True)) == [
        "submitted", "reviewed", "checked", "decided", "publicizing", "conferred"]


def test_an_upheld_objection_rejects_the_rating(tree, scheme, cadre_a11, street_cadre,
                                                district_cadre, member_user) -> None:
    rating = _self_assess(svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11),
                          cadre_a11, ("30", "20", "40"))
    _through_check(rating, street_cadre)
    rating = svc.rating_decide(rating=rating, actor=street_cadre)
    notice = svc.ratings_publicize(ratings=[rating], org=tree["SH-A"], title="公示",
                                   working_days=5, actor=district_cadre)
    objection = objection_submit(notice=notice, text="该单位今年发生过欠薪", actor=member_user,
                                 item=notice.items.get())
    objection_decide(objection=objection, upheld=True, reason="经核实属实", actor=district_cadre)
    with clock.frozen(dt.datetime(2026, 3, 9, 9, 0)):
        notice_close(notice=notice, actor=district_cadre)
    rating.refresh_from_db()
    assert rating.status == RatingStatus.REJECTED
    assert Title.objects.count() == 0


def test_a_veto_fails_even_a_full_score(tree, scheme, cadre_a11, street_cadre) -> None:
    rating = _self_assess(svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11),
                          cadre_a11, ("30", "20", "50"))
    veto = VetoItem.objects.get(scheme=scheme, title="经费违规使用")
    _through_check(rating, street_cadre, vetoes={veto.pk: "审计发现违规列支"})
    rating = svc.rating_decide(rating=rating, actor=street_cadre)
    assert (rating.status, rating.grade, rating.vetoed) == (RatingStatus.FAILED, "", True)
    assert rating.history.last().reason == "触发一票否决"


def test_a_union_cannot_review_its_own_rating(tree, scheme, cadre_a11) -> None:
    rating = _self_assess(svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11),
                          cadre_a11, ("30", "20", "50"))
    with pytest.raises(Forbidden) as refused:
        svc.review_complete(rating=rating, vetoes={}, actor=cadre_a11)
    assert refused.value.message == "工会不能审核本级的评家申报，须由上级工会审核。"
    rating.refresh_from_db()
    assert rating.status == RatingStatus.SUBMITTED
    assert rating.history.count() == 1


def test_another_district_gets_not_found(tree, scheme, cadre_a11, other_district_cadre) -> None:
    rating = _self_assess(svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11),
                          cadre_a11, ("30", "20", "50"))
    with pytest.raises(NotFound):
        svc.review_complete(rating=rating, vetoes={}, actor=other_district_cadre)
    assert Rating.objects.get(pk=rating.pk).status == RatingStatus.SUBMITTED


def test_adjusting_a_score_needs_a_reason_and_a_range(tree, scheme, cadre_a11,
                                                      street_cadre) -> None:
    rating = _self_assess(svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11),
                          cadre_a11, ("30", "20", "50"))
    ids = _items(rating)
    with pytest.raises(ApplicationError) as refused:
        svc.review_scores_save(rating=rating, scores={ids["职代会制度"]: ("40", "")},
                               actor=street_cadre)
    assert refused.value.message == "“职代会制度”调整了自评分，请填写调整理由。"
    with pytest.raises(ApplicationError) as refused:
        svc.review_scores_save(rating=rating, scores={ids["会员入会"]: ("20.01", "多给")},
                               actor=street_cadre)
    assert refused.value.message == "“会员入会”的分数应在 0 至 20.00 之间。"
    assert ItemScore.objects.filter(rating=rating, review_score__isnull=False).count() == 0


def test_submit_needs_every_score_and_the_evidence(tree, scheme, cadre_a11) -> None:
    rating = svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    ids = _items(rating)
    svc.self_scores_save(rating=rating, actor=cadre_a11,
                         scores={ids["组织健全"]: ("30", ""), ids["会员入会"]: ("20", "")})
    with pytest.raises(ApplicationError) as refused:
        svc.rating_submit(rating=rating, actor=cadre_a11)
    assert refused.value.message == "还有 1 项未自评：职代会制度"
    svc.self_scores_save(rating=rating, actor=cadre_a11, scores={ids["职代会制度"]: ("50", "")})
    with pytest.raises(ApplicationError) as refused:
        svc.rating_submit(rating=rating, actor=cadre_a11)
    assert refused.value.message == "还有 1 项缺少佐证材料：组织健全"
    assert Rating.objects.get(pk=rating.pk).status == RatingStatus.DRAFT


def test_one_open_rating_per_union_and_scheme(tree, scheme, cadre_a11) -> None:
    svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    with pytest.raises(Conflict):
        svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    assert Rating.objects.count() == 1


def _confer(tree: Any, scheme: Any, cadre: Any, street: Any, district: Any,
            scores: tuple[str, str, str], close_on: dt.datetime) -> Title:
    rating = _self_assess(svc.rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=cadre),
                          cadre, scores)
    _through_check(rating, street)
    rating = svc.rating_decide(rating=rating, actor=street)
    notice = svc.ratings_publicize(ratings=[rating], org=tree["SH-A"], title="公示",
                                   working_days=5, actor=district)
    with clock.frozen(close_on):
        notice_close(notice=Notice.objects.get(pk=notice.pk), actor=district)
    return Title.objects.get(org=tree["SH-A-1-1"], status=TitleStatus.ACTIVE)


def test_due_list_and_expiry_without_recheck(tree, scheme, cadre_a11, street_cadre,
                                             district_cadre) -> None:
    from gonghui.core.actor import system_actor
    from gonghui.evaluation.selectors import titles_due

    title = _confer(tree, scheme, cadre_a11, street_cadre, district_cadre, ("30", "20", "45"),
                    dt.datetime(2026, 3, 9, 9))
    assert title.valid_until == dt.date(2029, 3, 9)
    # listed 90 days ahead: 2028-12-09 is the first day it shows, not the day before
    assert list(titles_due(viewer=district_cadre, today=dt.date(2028, 12, 8))) == []
    assert list(titles_due(viewer=district_cadre, today=dt.date(2028, 12, 9))) == [title]
    assert titles.titles_expire(actor=system_actor("cli"), today=dt.date(2029, 3, 9)) == []
    ended = titles.titles_expire(actor=system_actor("cli"), today=dt.date(2029, 3, 10))
    assert [t.pk for t in ended] == [title.pk]
    title.refresh_from_db()
    assert (title.status, title.ended_on, title.end_reason) == (
        TitleStatus.EXPIRED, dt.date(2029, 3, 10), "有效期至 2029-03-09 届满，未复评")


def test_failed_recheck_withdraws_the_title(tree, cadre_a11, street_cadre,
                                            district_cadre) -> None:
    scheme = make_scheme(tree["SH-A"], district_cadre)
    title = _confer(tree, scheme, cadre_a11, street_cadre, district_cadre, ("30", "20", "45"),
                    dt.datetime(2026, 3, 9, 9))
    recheck_scheme = make_scheme(tree["SH-A"], district_cadre, name="复评方案")
    rating = svc.rating_open(scheme=recheck_scheme, org=tree["SH-A-1-1"], actor=cadre_a11)
    assert rating.recheck_of_id == title.pk
    rating = _self_assess(rating, cadre_a11, ("20", "10", "29"))     # 59: below 合格
    _through_check(rating, street_cadre)
    svc.rating_decide(rating=rating, actor=street_cadre)
    title.refresh_from_db()
    assert (title.status, title.end_reason) == (
        TitleStatus.WITHDRAWN, "复评未通过：总分 59.00 未达到任何等级的最低分")
    assert list(title.history.values_list("from_status", "to_status")) == [
        ("active", "withdrawn")]


def test_recheck_at_a_lower_grade_downgrades(tree, cadre_a11, street_cadre,
                                             district_cadre) -> None:
    scheme = make_scheme(tree["SH-A"], district_cadre)
    first = _confer(tree, scheme, cadre_a11, street_cadre, district_cadre, ("30", "20", "45"),
                    dt.datetime(2026, 3, 9, 9))
    second_scheme = make_scheme(tree["SH-A"], district_cadre, name="复评方案")
    with clock.frozen(dt.datetime(2026, 3, 9, 10)):
        second = _confer(tree, second_scheme, cadre_a11, street_cadre, district_cadre,
                         ("30", "10", "25"), dt.datetime(2026, 3, 16, 9))
    first.refresh_from_db()
    assert (first.status, first.end_reason) == (TitleStatus.DOWNGRADED, "复评降级为合格职工之家")
    assert (second.grade, second.valid_until) == (Grade.QUALIFIED, dt.date(2029, 3, 16))


def test_veto_event_withdraws_and_the_public_list_is_current(tree, scheme, cadre_a11,
                                                             street_cadre,
                                                             district_cadre) -> None:
    from gonghui.evaluation.selectors import public_titles

    title = _confer(tree, scheme, cadre_a11, street_cadre, district_cadre, ("30", "20", "45"),
                    dt.datetime(2026, 3, 9, 9))
    assert list(public_titles(today=dt.date(2026, 3, 9))) == [title]
    with pytest.raises(Forbidden):
        titles.veto_event_record(title=title, event="重大安全事故", actor=cadre_a11)
    titles.veto_event_record(title=title, event="发生重大安全生产事故", actor=street_cadre)
    title.refresh_from_db()
    assert (title.status, title.end_reason) == (TitleStatus.WITHDRAWN,
                                                "一票否决：发生重大安全生产事故")
    assert list(public_titles(today=dt.date(2026, 3, 9))) == []


def test_scheme_thresholds_must_descend(tree, district_cadre) -> None:
    with pytest.raises(ApplicationError) as refused:
        make_scheme(tree["SH-A"], district_cadre, thresholds={
            Grade.MODEL: Decimal("80"), Grade.ADVANCED: Decimal("80")})
    assert refused.value.message == "等级越高，最低分应越高（模范 > 先进 > 合格）。"
    with pytest.raises(ApplicationError) as refused:
        make_scheme(tree["SH-A-1"], district_cadre)
    assert refused.value.message == "评家方案由市、区（县）总工会或更高层级制定。"
