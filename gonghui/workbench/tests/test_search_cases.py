"""The case numbers of the newer modules in the global search: rights cases (案件编号),
nominations, proposals, activities and ratings (by #reference and by name), each inside the
viewer's subtrees only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from gonghui.awards.tests import factories as awards
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.search import reference, search
from gonghui.democracy.services import congress as democracy
from gonghui.evaluation.services.ratings import rating_open
from gonghui.evaluation.tests.conftest import make_scheme
from gonghui.outreach.tests.conftest import make_activity
from gonghui.rights.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def titles(user: Any, q: str, kind: str) -> list[str]:
    return [h.title for g in search(user, q) if g.name == kind for h in g.hits]


def test_reference_reads_hash_plain_and_prefixed_numbers() -> None:
    assert reference("#12") == 12
    assert reference(" 7 ") == 7
    assert reference("ma31", "MA") == 31
    assert reference("王芳") is None
    assert reference("12a") is None
    assert reference("1" * 13) is None


def test_rights_case_by_number_and_worker_never_across_districts(tree, district_cadre,
                                                                 other_district_cadre) -> None:
    case = open_case(tree["SH-A-1"], district_cadre, worker_name="钱多多")
    assert case.number
    expected = [f"{case.number} 钱多多"]
    assert titles(district_cadre, case.number, "rights") == expected
    assert titles(district_cadre, "钱多多", "rights") == expected
    hit = next(h for g in search(district_cadre, case.number) for h in g.hits)
    assert hit.url == reverse("rights:case", args=[case.pk])
    assert titles(other_district_cadre, case.number, "rights") == []
    assert titles(other_district_cadre, "钱多多", "rights") == []


def test_nomination_by_reference_and_name(tree, district_cadre, other_district_cadre) -> None:
    person = awards.member(tree["SH-A-1-1"], "孙悟净")
    scheme = awards.scheme(tree["SH"])
    nomination = awards.nominate(scheme, tree["SH-A-1-1"], person)
    expected = [f"#{nomination.pk} 孙悟净"]
    assert titles(district_cadre, f"#{nomination.pk}", "awards") == expected
    assert titles(district_cadre, "孙悟净", "awards") == expected
    assert titles(other_district_cadre, f"#{nomination.pk}", "awards") == []
    assert titles(other_district_cadre, "孙悟净", "awards") == []


def test_proposal_by_reference_and_subject(tree, district_cadre, other_district_cadre) -> None:
    make_user("rep1")
    congress = democracy.congress_create(org=tree["SH-A"], name="甲区工会第五次会员代表大会",
                                         started_on=dt.date(2024, 3, 1), actor=district_cadre)
    democracy.representatives_add(congress=congress, elected_on=dt.date(2024, 2, 1),
                                  actor=district_cadre, lines=["一街道,赵一,rep1"])
    rep = congress.representatives.get(user__username="rep1")
    proposal = democracy.proposal_draft(representative=rep, title="增设职工食堂夜班供餐",
                                        body="夜班职工无处就餐。", actor=rep.user)
    expected = [f"#{proposal.pk} 增设职工食堂夜班供餐"]
    assert titles(district_cadre, str(proposal.pk), "democracy") == expected
    assert titles(district_cadre, "夜班供餐", "democracy") == expected
    assert titles(other_district_cadre, str(proposal.pk), "democracy") == []
    assert titles(other_district_cadre, "夜班供餐", "democracy") == []


def test_activity_by_reference_and_title(tree, district_cadre, other_district_cadre) -> None:
    with clock.frozen(dt.datetime(2026, 6, 1, 9, 0)):
        activity = make_activity(tree["SH-A-1"], title="夏送清凉慰问甲街道")
    expected = [f"#{activity.pk} 夏送清凉慰问甲街道"]
    assert titles(district_cadre, f"#{activity.pk}", "outreach") == expected
    assert titles(district_cadre, "清凉慰问", "outreach") == expected
    assert titles(other_district_cadre, f"#{activity.pk}", "outreach") == []
    assert titles(other_district_cadre, "清凉慰问", "outreach") == []


def test_rating_by_reference_and_union(tree, district_cadre, other_district_cadre) -> None:
    with clock.frozen(dt.datetime(2026, 6, 1, 9, 0)):
        scheme = make_scheme(tree["SH-A"], district_cadre)
        rating = rating_open(scheme=scheme, org=tree["SH-A-1-1"], actor=system_actor("test"))
    union = tree["SH-A-1-1"]
    expected = [f"#{rating.pk} {union.name} 2026"]
    assert titles(district_cadre, f"#{rating.pk}", "evaluation") == expected
    assert titles(district_cadre, union.code, "evaluation") == expected
    assert titles(other_district_cadre, f"#{rating.pk}", "evaluation") == []
    assert titles(other_district_cadre, union.code, "evaluation") == []


def test_a_member_without_a_role_finds_no_cases(tree, district_cadre, member_user) -> None:
    case = open_case(tree["SH-A-1"], district_cadre)
    assert search(member_user, case.number) == []


def test_an_id_number_is_asked_only_of_providers_that_find_id_numbers(tree, city_admin) -> None:
    from gonghui.core.search import SearchHit, is_id_number, register, unregister
    from gonghui.members.tests.factories import id_number

    asked: list[str] = []

    class Everything:
        name = "zz.everything"
        label = "全部"
        order = 999

        def search(self, user, q, *, limit):
            asked.append(q)
            return [SearchHit(kind=self.name, title=q, url="/")]

    register(Everything())
    try:
        number = id_number()
        assert is_id_number(number) is True
        assert is_id_number(number[:-1] + ("0" if number[-1] != "0" else "1")) is False
        assert [g.name for g in search(city_admin, number)] == []   # nobody holds it
        assert asked == []
        assert [g.name for g in search(city_admin, "王芳")] == ["zz.everything"]
        assert asked == ["王芳"]
    finally:
        unregister("zz.everything")
