"""Yearly review, exit (解困脱困) after the configured months above the line, and the relapse
watch — all on a clock the tests move (core.clock.frozen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import make_user
from gonghui.aid import selectors
from gonghui.aid.models import AidPolicy, HouseholdClaim, IncomeAssessment
from gonghui.aid.services import files as svc
from gonghui.aid.services import watch
from gonghui.aid.services.standards import standard_save
from gonghui.aid.tests.conftest import active_file, make_person
from gonghui.core.clock import frozen
from gonghui.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def line_2024(tree, city_admin):
    # 1510 元/人/月 from 2024 on; the upper edge of 相对困难 is 2265.00
    return standard_save(org=tree["SH"], year=2024, monthly_line=Decimal("1510"),
                         actor=city_admin)[0]


def _raise_income(file, actor, amount="5000"):
    svc.income_add(file=file, actor=actor, kind="wage", monthly_amount=Decimal(amount))
    file.refresh_from_db()
    return file


@pytest.fixture
def recovering(tree, line_2024, aid_cadre, street_cadre):
    """Verified 2024-03-01 in 深度困难 (2 people, 2000 a month); from 2024-06-01 the household
    earns 7000 (3500 each, above 2265) and the review records it."""
    with frozen(D(2024, 3, 1)):
        file = active_file(make_person(tree["SH-A-1-1"]), aid_cadre, street_cadre)
    assert (file.category, file.next_review_due) == ("deep", D(2025, 3, 1))
    with frozen(D(2024, 6, 1)):
        file = _raise_income(file, aid_cadre)
        assert file.needs_review is True
        watch.review_record(file=file, actor=aid_cadre, category="relative",
                            note="刚恢复就业，继续观察")
    file.refresh_from_db()
    assert (file.above_line_since, file.needs_review, file.next_review_due) == (
        D(2024, 6, 1), False, D(2025, 6, 1))
    return file


def test_exit_waits_for_the_configured_months(recovering, aid_cadre):
    file = recovering
    with frozen(D(2025, 5, 31)):
        ok, reason = watch.exit_check(file)
        assert (ok, reason) == (False, "自 2024-06-01 起收入持续高于困难线，须满 12 个月（2025-06-01 起）方可脱困。")
        with pytest.raises(ApplicationError) as exc:
            watch.file_exit(file=file, actor=aid_cadre, evidence="已稳定就业")
        assert exc.value.code == "too_early"
    file.refresh_from_db()
    assert file.status == "active"
    assert IncomeAssessment.objects.filter(file=file).count() == 2  # the refused check left nothing
    with frozen(D(2025, 6, 1)):
        assert watch.exit_check(file) == (True, "")
        file = watch.file_exit(file=file, actor=aid_cadre, evidence="已稳定就业，月薪 5000 元")
    assert file.status == "exited"
    assert (file.exited_on, file.watch_until, file.next_followup_due) == (
        D(2025, 6, 1), D(2027, 6, 1), D(2025, 12, 1))
    assert file.next_review_due is None
    assert HouseholdClaim.objects.filter(file=file).count() == 0
    exit_entry = file.activities.get(kind="exit")
    assert exit_entry.data["above_since"] == "2024-06-01"
    assert [a["on"] for a in exit_entry.data["assessments"]] == ["2024-06-01", "2025-06-01"]


def test_a_check_below_the_line_restarts_the_clock(recovering, aid_cadre):
    file = recovering
    income = file.incomes.get(monthly_amount=Decimal("5000"))
    with frozen(D(2024, 9, 1)):
        svc.income_remove(income=income, actor=aid_cadre)
        watch.review_record(file=file, actor=aid_cadre, category="deep")
    file.refresh_from_db()
    assert file.above_line_since is None
    with frozen(D(2024, 10, 1)):
        file = _raise_income(file, aid_cadre)
        watch.review_record(file=file, actor=aid_cadre, category="relative", note="再次就业")
    file.refresh_from_db()
    assert file.above_line_since == D(2024, 10, 1)
    with frozen(D(2025, 6, 1)), pytest.raises(ApplicationError) as exc:
        watch.file_exit(file=file, actor=aid_cadre, evidence="就业")
    assert exc.value.message == "自 2024-10-01 起收入持续高于困难线，须满 12 个月（2025-10-01 起）方可脱困。"
    with frozen(D(2025, 10, 1)):
        assert watch.file_exit(file=file, actor=aid_cadre, evidence="就业").status == "exited"


def test_exit_refused_below_the_line(tree, line_2024, aid_cadre, street_cadre):
    with frozen(D(2024, 3, 1)):
        file = active_file(make_person(tree["SH-A-1-1"]), aid_cadre, street_cadre)
    with frozen(D(2025, 6, 1)), pytest.raises(ApplicationError) as exc:
        watch.file_exit(file=file, actor=aid_cadre, evidence="无")
    assert exc.value.message == "当前家庭月人均收入 1000.00 元低于困难线 2265.00 元，不能脱困。"


def test_exit_months_are_configurable(recovering, aid_cadre, tree, district_cadre):
    from gonghui.aid.services.standards import policy_save

    policy_save(org=tree["SH-A"], actor=district_cadre, exit_months=6, followup_months=3,
                watch_months=12)
    assert AidPolicy.objects.get().exit_months == 6
    with frozen(D(2024, 11, 30)), pytest.raises(ApplicationError):
        watch.file_exit(file=recovering, actor=aid_cadre, evidence="就业")
    with frozen(D(2024, 12, 1)):
        file = watch.file_exit(file=recovering, actor=aid_cadre, evidence="就业")
    assert (file.next_followup_due, file.watch_until) == (D(2025, 3, 1), D(2025, 12, 1))


def test_relapse_watch_follow_ups_and_one_click_reopen(recovering, aid_cadre, tree):
    with frozen(D(2025, 6, 1)):
        file = watch.file_exit(file=recovering, actor=aid_cadre, evidence="稳定就业")
    viewer = make_user("watcher", org=tree["SH-A"], role="cadre")
    with frozen(D(2025, 10, 31)):
        assert list(selectors.followup_due(viewer=viewer)) == []
    with frozen(D(2025, 11, 1)):  # due 2025-12-01: inside the 30-day window
        assert list(selectors.followup_due(viewer=viewer)) == [file]
    with frozen(D(2025, 12, 3)):
        _a, relapse = watch.followup_record(file=file, actor=aid_cadre, household_size=2,
                                            monthly_income=Decimal("6000"), note="工作稳定")
    file.refresh_from_db()
    assert (relapse, file.relapse_found, file.next_followup_due) == (False, False, D(2026, 6, 3))
    with pytest.raises(ApplicationError) as exc:
        watch.file_reopen(file=file, actor=aid_cadre)
    assert exc.value.message == "只有回访发现返贫的已脱困档案可以重新开档。"
    with frozen(D(2026, 6, 3)):
        # 4529.98 for 2 people = 2264.99 each: one fen under the line → relapse
        _a, relapse = watch.followup_record(file=file, actor=aid_cadre, household_size=2,
                                            monthly_income=Decimal("4529.98"), note="单位裁员")
    file.refresh_from_db()
    assert (relapse, file.relapse_found, file.next_followup_due) == (True, True, D(2026, 12, 3))
    with frozen(D(2026, 6, 4)):
        assert list(selectors.followup_due(viewer=viewer)) == [file]
        file = watch.file_reopen(file=file, actor=aid_cadre)
    assert (file.status, file.reopen_count, file.relapse_found) == ("draft", 1, False)
    assert (file.watch_until, file.next_followup_due) == (None, None)
    assert HouseholdClaim.objects.filter(file=file).count() == 2
    reopen = file.activities.get(kind="reopen")
    assert (reopen.from_status, reopen.to_status) == ("exited", "draft")
    assert reopen.data["per_capita"] == "2264.99"
    assert reopen.reason == "返贫回访发现家庭月人均收入低于困难线"


def test_follow_ups_stop_at_the_end_of_the_watch(recovering, aid_cadre):
    with frozen(D(2025, 6, 1)):
        file = watch.file_exit(file=recovering, actor=aid_cadre, evidence="稳定就业")
    with frozen(D(2027, 1, 10)):  # next would be 2027-07-10, after the watch (2027-06-01)
        watch.followup_record(file=file, actor=aid_cadre, household_size=2,
                              monthly_income=Decimal("8000"), note="稳定")
    file.refresh_from_db()
    assert file.next_followup_due is None


def test_review_due_list_and_overdue(tree, line_2024, aid_cadre, street_cadre):
    with frozen(D(2024, 3, 1)):
        file = active_file(make_person(tree["SH-A-1-1"]), aid_cadre, street_cadre)
    # due 2025-03-01: listed from 30 days before
    with frozen(D(2025, 1, 29)):
        assert list(selectors.review_due(viewer=aid_cadre)) == []
    with frozen(D(2025, 1, 30)):
        assert list(selectors.review_due(viewer=aid_cadre)) == [file]
    with frozen(D(2025, 3, 1)):
        data = selectors.dashboard(org=tree["SH-A-1-1"], viewer=aid_cadre, year=2025)
        assert (data["overdue_reviews"], data["active"]) == (0, 1)
    with frozen(D(2025, 3, 2)):
        data = selectors.dashboard(org=tree["SH-A-1-1"], viewer=aid_cadre, year=2025)
        assert (data["overdue_reviews"], data["active"]) == (1, 1)
