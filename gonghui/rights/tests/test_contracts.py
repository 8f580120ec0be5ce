"""Collective contracts: representatives, adoption quorum and majority at their edges, term,
filing clock and entry into force, renewal window, and coverage counted once."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.rights import deadlines, selectors
from gonghui.rights.models import ContractStatus
from gonghui.rights.services import contracts as svc
from gonghui.rights.tests.conftest import make_employer

pytestmark = pytest.mark.django_db


def _at(day):
    return clock.frozen(dt.datetime.combine(day, dt.time(9)))


def _negotiated(tree, actor, employers, kind="wage", day=dt.date(2026, 1, 5)):
    with _at(day):
        contract = svc.contract_start(org=tree["SH-A-1"], kind=kind, title="工资专项集体合同",
                                      requested_on=day, employers=employers, actor=actor)
        svc.contract_answer(contract=contract, answered_on=day, actor=actor)
        for side in ("workers", "employer"):
            for k in range(3):
                svc.representative_add(contract=contract, side=side, name=f"{side}{k}",
                                       is_chief=k == 0, actor=actor)
    return contract


def test_two_representatives_a_side_is_not_enough(tree, district_cadre):
    with _at(dt.date(2026, 1, 5)):
        contract = svc.contract_start(org=tree["SH-A-1"], kind="wage", title="合同",
                                      requested_on=dt.date(2026, 1, 5),
                                      employers=[make_employer(tree["SH-A-1"])],
                                      actor=district_cadre)
        svc.contract_answer(contract=contract, answered_on=dt.date(2026, 1, 5),
                            actor=district_cadre)
        for side in ("workers", "employer"):
            for k in range(2):
                svc.representative_add(contract=contract, side=side, name=f"{side}{k}",
                                       is_chief=k == 0, actor=district_cadre)
        with pytest.raises(Conflict) as exc:
            svc.contract_adopt(contract=contract, adopted_on=dt.date(2026, 1, 5),
                               delegates_total=30, delegates_present=30, votes_for=30,
                               actor=district_cadre)
    assert exc.value.message == "职工方协商代表不足3人（集体合同规定第十九条）。"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.NEGOTIATING


@pytest.mark.parametrize(("present", "votes", "ok"), [
    (20, 16, True),    # exactly 2/3 present; 16 > 30/2
    (19, 19, False),   # under 2/3 present
    (30, 15, False),   # exactly half of ALL is not enough
])
def test_adoption_quorum_and_majority_of_all(tree, district_cadre, present, votes, ok):
    contract = _negotiated(tree, district_cadre, [make_employer(tree["SH-A-1"])])
    with _at(dt.date(2026, 1, 10)):
        if ok:
            svc.contract_adopt(contract=contract, adopted_on=dt.date(2026, 1, 10),
                               delegates_total=30, delegates_present=present, votes_for=votes,
                               actor=district_cadre)
        else:
            with pytest.raises(ApplicationError):
                svc.contract_adopt(contract=contract, adopted_on=dt.date(2026, 1, 10),
                                   delegates_total=30, delegates_present=present,
                                   votes_for=votes, actor=district_cadre)
    contract.refresh_from_db()
    assert contract.status == (ContractStatus.ADOPTED if ok else ContractStatus.NEGOTIATING)
    assert contract.votes_for == (votes if ok else None)


def _adopted(tree, actor, employers, kind="wage"):
    contract = _negotiated(tree, actor, employers, kind=kind)
    with _at(dt.date(2026, 1, 10)):
        svc.contract_adopt(contract=contract, adopted_on=dt.date(2026, 1, 10), delegates_total=30,
                           delegates_present=25, votes_for=20, actor=actor)
    return contract


def test_term_over_three_years_is_refused(tree, district_cadre):
    contract = _adopted(tree, district_cadre, [make_employer(tree["SH-A-1"])])
    with _at(dt.date(2026, 1, 12)), pytest.raises(ApplicationError) as exc:
        svc.contract_sign(contract=contract, signed_on=dt.date(2026, 1, 12),
                          term_start=dt.date(2026, 2, 1), term_end=dt.date(2029, 2, 1),
                          actor=district_cadre)
    assert exc.value.message == "集体合同期限应为一至三年（集体合同规定第三十八条）。"
    contract.refresh_from_db()
    assert (contract.status, contract.term_end) == (ContractStatus.ADOPTED, None)


def test_filed_on_friday_before_national_day_takes_effect_after_the_holiday(tree,
                                                                           district_cadre):
    contract = _adopted(tree, district_cadre, [make_employer(tree["SH-A-1"])])
    with _at(dt.date(2026, 9, 14)):
        svc.contract_sign(contract=contract, signed_on=dt.date(2026, 9, 14),
                          term_start=dt.date(2026, 10, 1), term_end=dt.date(2027, 9, 30),
                          actor=district_cadre)
    assert [c.due for c in deadlines.contract_clocks(contract, dt.date(2026, 9, 14))] == [
        dt.date(2026, 9, 24)]   # filing within 10 days (Art. 42)
    with _at(dt.date(2026, 9, 18)):
        svc.contract_file(contract=contract, filed_on=dt.date(2026, 9, 18),
                          received_on=dt.date(2026, 9, 18), actor=district_cadre)
    contract.refresh_from_db()
    # 15 days after Friday 18 September end on Saturday 3 October (国庆): the next working
    # day is Thursday 8 October; the contract is in force from Friday 9 October.
    assert contract.effective_on == dt.date(2026, 10, 9)
    assert selectors.coverage(viewer=district_cadre, today=dt.date(2026, 10, 8))["contracts"] == 0
    assert selectors.coverage(viewer=district_cadre, today=dt.date(2026, 10, 9))["contracts"] == 1


def test_bureau_objection_after_its_period_is_refused(tree, district_cadre):
    contract = _adopted(tree, district_cadre, [make_employer(tree["SH-A-1"])])
    with _at(dt.date(2026, 3, 2)):
        svc.contract_sign(contract=contract, signed_on=dt.date(2026, 3, 2),
                          term_start=dt.date(2026, 3, 2), term_end=dt.date(2027, 3, 1),
                          actor=district_cadre)
        svc.contract_file(contract=contract, filed_on=dt.date(2026, 3, 2),
                          received_on=dt.date(2026, 3, 2), actor=district_cadre)
    with _at(dt.date(2026, 3, 20)), pytest.raises(ApplicationError):
        svc.contract_objection(contract=contract, on=dt.date(2026, 3, 18), reason="条款违法",
                               actor=district_cadre)
    with _at(dt.date(2026, 3, 17)):
        svc.contract_objection(contract=contract, on=dt.date(2026, 3, 17), reason="条款违法",
                               actor=district_cadre)
    contract.refresh_from_db()
    assert (contract.status, contract.effective_on) == (ContractStatus.OBJECTED, None)


def test_renewal_window_first_and_last_day(tree, district_cadre):
    contract = _adopted(tree, district_cadre, [make_employer(tree["SH-A-1"])])
    with _at(dt.date(2026, 1, 12)):
        svc.contract_sign(contract=contract, signed_on=dt.date(2026, 1, 12),
                          term_start=dt.date(2026, 1, 1), term_end=dt.date(2026, 12, 31),
                          actor=district_cadre)
        svc.contract_file(contract=contract, filed_on=dt.date(2026, 1, 12),
                          received_on=dt.date(2026, 1, 12), actor=district_cadre)
    for day, inside in ((dt.date(2026, 9, 30), False), (dt.date(2026, 10, 1), True),
                        (dt.date(2026, 12, 31), True), (dt.date(2027, 1, 1), False)):
        with _at(day):
            assert selectors.contract_list(viewer=district_cadre, renewal=True).count() == \
                (1 if inside else 0), day


def test_coverage_counts_an_employer_once(tree, district_cadre):
    a = make_employer(tree["SH-A-1"], "甲公司", workers=100)
    b = make_employer(tree["SH-A-1"], "乙公司", workers=40)
    for kind, employers in (("wage", [a]), ("regional", [a, b]), ("industry", [a, b])):
        contract = _adopted(tree, district_cadre, employers, kind=kind)
        with _at(dt.date(2026, 1, 12)):
            svc.contract_sign(contract=contract, signed_on=dt.date(2026, 1, 12),
                              term_start=dt.date(2026, 1, 12), term_end=dt.date(2027, 1, 11),
                              actor=district_cadre)
            svc.contract_file(contract=contract, filed_on=dt.date(2026, 1, 12),
                              received_on=dt.date(2026, 1, 12), actor=district_cadre)
    assert selectors.coverage(viewer=district_cadre, today=dt.date(2026, 6, 1)) == {
        "contracts": 3, "employers": 2, "workers": 140}


def test_single_employer_kind_refuses_two(tree, district_cadre):
    with _at(dt.date(2026, 1, 5)), pytest.raises(ApplicationError) as exc:
        svc.contract_start(org=tree["SH-A-1"], kind="wage", title="x",
                           requested_on=dt.date(2026, 1, 5),
                           employers=[make_employer(tree["SH-A-1"], "a"),
                                      make_employer(tree["SH-A-1"], "b")],
                           actor=district_cadre)
    assert exc.value.message == "只有区域性或行业性集体合同可以覆盖多个用人单位。"
