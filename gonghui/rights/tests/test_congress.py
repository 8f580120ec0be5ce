"""Workers' congresses: quorum 2/3 of ALL delegates, passing with more than half of ALL, the
20 % management share, and employers without a session in 12 months."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.rights import selectors
from gonghui.rights.models import Delegate, Resolution
from gonghui.rights.services import congress as svc
from gonghui.rights.tests.conftest import make_employer

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress(tree, district_cadre, today):
    c = svc.congress_create(org=tree["SH-A-1"], employer=make_employer(tree["SH-A-1"]),
                            name="第一届职代会", term_start=dt.date(2025, 1, 1),
                            term_end=dt.date(2029, 12, 31), actor=district_cadre)
    for k in range(30):
        svc.delegate_add(congress=c, name=f"代表{k}",
                         group=Delegate.Group.MANAGEMENT if k < 6 else Delegate.Group.FRONTLINE,
                         is_woman=k % 2 == 0, actor=district_cadre)
    return c


def _session(congress, actor, present):
    ids = list(congress.delegates.values_list("pk", flat=True))[:present]
    return svc.session_record(congress=congress, held_on=clock.today(), title="会议",
                              attendee_ids=ids, actor=actor)


def test_exactly_two_thirds_present_may_vote(congress, district_cadre):
    session = _session(congress, district_cadre, 20)
    passed = svc.resolution_record(session=session, title="议题一", votes_for=16,
                                   votes_against=4, abstained=0, actor=district_cadre)
    half = svc.resolution_record(session=session, title="议题二", votes_for=15,
                                 votes_against=5, abstained=0, actor=district_cadre)
    assert (passed.passed, half.passed) == (True, False)   # 15 of 30: exactly half of ALL


def test_under_two_thirds_no_vote_and_nothing_recorded(congress, district_cadre):
    session = _session(congress, district_cadre, 19)
    with pytest.raises(ApplicationError) as exc:
        svc.resolution_record(session=session, title="议题", votes_for=19, votes_against=0,
                              abstained=0, actor=district_cadre)
    assert exc.value.message == "本次会议出席代表 19 人，不足全体代表 30 人的三分之二，不能进行表决。"
    assert Resolution.objects.count() == 0


def test_votes_over_present_refused(congress, district_cadre):
    session = _session(congress, district_cadre, 25)
    with pytest.raises(ApplicationError):
        svc.resolution_record(session=session, title="议题", votes_for=20, votes_against=6,
                              abstained=0, actor=district_cadre)
    assert Resolution.objects.count() == 0


def test_management_share_warning(congress, district_cadre):
    assert svc.roster_warnings(congress) == []   # 6 of 30 = 20 %: allowed
    svc.delegate_add(congress=congress, name="经理", group=Delegate.Group.MANAGEMENT,
                     is_woman=False, actor=district_cadre)
    assert svc.roster_warnings(congress) == [
        "管理人员代表 7 人，占 23%，超过代表总数的20%（企业民主管理规定）。"]


def test_congress_without_session_in_12_months_is_flagged(congress, district_cadre, today):
    assert selectors.congress_list(viewer=district_cadre, lapsed=True).count() == 1
    with clock.frozen(dt.datetime(2025, 6, 1, 9)):
        _session(congress, district_cadre, 25)
    assert selectors.congress_list(viewer=district_cadre, lapsed=True).count() == 0  # 2025-06-01
    with clock.frozen(dt.datetime(2026, 6, 2, 9)):
        assert selectors.congress_list(viewer=district_cadre, lapsed=True).count() == 1
