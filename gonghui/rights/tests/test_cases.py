"""Cases: intake, screening, hand-offs with their clocks, closing, rating; refusals change
nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.rights import deadlines
from gonghui.rights.models import Body, Case, CaseStatus, Referral
from gonghui.rights.selectors import mediation_overdue_q
from gonghui.rights.services import cases as svc
from gonghui.rights.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def test_worker_submits_and_is_recorded_as_non_member(tree, member_user, today):
    case = svc.case_submit(union=tree["SH-A-1"], dispute_type="wages", description="拖欠工资",
                           known_on=dt.date(2026, 5, 1), employer_name="某公司",
                           id_number="11010519491231002X", actor=member_user)
    assert case.status == CaseStatus.SUBMITTED
    assert case.is_member is False
    assert case.worker_id == member_user.pk
    assert case.worker_id_number == "11010519491231002X"
    with connection.cursor() as cursor:
        cursor.execute("SELECT worker_id_number FROM rights_case WHERE id = %s", [case.pk])
        assert b"110105" not in bytes(cursor.fetchone()[0])   # encrypted at rest
    assert case.number == f"WQ2026-{case.pk:06d}"
    assert [h.to_status for h in case.history.all()] == ["submitted"]
    assert AuditEvent.objects.filter(action="rights.case.create", object_id=str(case.pk)).count() == 1


def test_bad_id_number_changes_nothing(tree, member_user, today):
    with pytest.raises(ApplicationError) as exc:
        svc.case_submit(union=tree["SH-A-1"], dispute_type="wages", description="x",
                        known_on=dt.date(2026, 5, 1), id_number="3.10101E+17",
                        actor=member_user)
    assert "科学计数法" in exc.value.message
    assert Case.objects.count() == 0


def test_known_after_applied_is_refused(tree, district_cadre, today):
    with pytest.raises(ApplicationError) as exc:
        open_case(tree["SH-A-1-1"], district_cadre, known_on=dt.date(2026, 6, 1),
                  applied_on=dt.date(2026, 5, 1))
    assert exc.value.message == "知道权利被侵害之日不能晚于申请日期。"
    assert Case.objects.count() == 0


def test_other_district_cannot_open_or_touch(tree, district_cadre, other_district_cadre, today):
    case = open_case(tree["SH-A-1-1"], district_cadre)
    with pytest.raises(NotFound):
        open_case(tree["SH-A-1-1"], other_district_cadre)
    with pytest.raises(NotFound):
        svc.case_hearing(case=case, on=today, note="x", actor=other_district_cadre)
    assert Case.objects.count() == 1
    assert case.hearings.count() == 0


def test_accept_then_refer_to_arbitration_and_the_clocks(tree, district_cadre, member_user):
    with clock.frozen(dt.datetime(2026, 3, 1, 9)):
        case = svc.case_submit(union=tree["SH-A-1-1"], dispute_type="dismissal",
                               description="违法解除", known_on=dt.date(2026, 2, 20),
                               actor=member_user)
        svc.case_accept(case=case, kind="mediation", actor=district_cadre)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    kinds = {c.kind: c.due for c in deadlines.case_clocks(case)}
    # 20 Feb 2027: the installed calendar does not know 2027 yet, so the day is not rolled
    assert kinds == {"limitation": dt.date(2027, 2, 20), "mediation": dt.date(2026, 3, 16)}
    with clock.frozen(dt.datetime(2026, 3, 17, 9)):
        assert Case.objects.filter(mediation_overdue_q(clock.today())).count() == 1
        svc.case_refer(case=case, to_body=Body.ARBITRATION, on=dt.date(2026, 3, 17),
                       reason="调解期满未达成协议", documents="申请书", actor=district_cadre)
    case.refresh_from_db()
    assert (case.body, case.body_since, case.arbitration_accepted_on) == (
        Body.ARBITRATION, dt.date(2026, 3, 17), dt.date(2026, 3, 17))
    assert case.union == tree["SH-A-1-1"]   # a referral keeps the case in its union
    assert [c.due for c in deadlines.case_clocks(case)] == [dt.date(2026, 5, 6)]
    with clock.frozen(dt.datetime(2026, 4, 1, 9)):
        svc.case_extend_arbitration(case=case, reason="案情复杂", actor=district_cadre)
        with pytest.raises(Conflict):
            svc.case_extend_arbitration(case=case, reason="再延", actor=district_cadre)
    case.refresh_from_db()
    # 45 + 15 days after 17 March = 16 May 2026, a Saturday → Monday 18 May
    assert [c.due for c in deadlines.case_clocks(case)] == [dt.date(2026, 5, 18)]
    referral = Referral.objects.get(case=case)
    assert (referral.from_body, referral.to_body, referral.documents) == (
        Body.UNION, Body.ARBITRATION, "申请书")


def test_refer_to_the_same_body_or_before_it_arrived_is_refused(tree, district_cadre, today):
    case = open_case(tree["SH-A-1-1"], district_cadre)
    with pytest.raises(ApplicationError) as exc:
        svc.case_refer(case=case, to_body=Body.UNION, on=today, reason="x",
                       actor=district_cadre)
    assert exc.value.message == "案件已在该机构办理，不能移交给同一机构。"
    with pytest.raises(ApplicationError):
        svc.case_refer(case=case, to_body=Body.COURT, on=today - dt.timedelta(days=1),
                       reason="x", actor=district_cadre)
    assert Referral.objects.count() == 0
    case.refresh_from_db()
    assert case.body == Body.UNION


def test_close_then_worker_rates_once(tree, district_cadre, member_user, today):
    case = svc.case_submit(union=tree["SH-A-1-1"], dispute_type="wages", description="x",
                           known_on=dt.date(2026, 5, 1), actor=member_user)
    svc.case_accept(case=case, kind="mediation", actor=district_cadre)
    with pytest.raises(Conflict):
        svc.case_rate(case=case, rating=5, actor=member_user)
    svc.case_close(case=case, outcome="agreement", amount_recovered=Decimal("12000.50"),
                   closed_on=today, actor=district_cadre)
    with pytest.raises(Forbidden):
        svc.case_rate(case=case, rating=5, actor=district_cadre)
    svc.case_rate(case=case, rating=4, comment="很及时", actor=member_user)
    with pytest.raises(Conflict):
        svc.case_rate(case=case, rating=1, actor=member_user)
    case.refresh_from_db()
    assert (case.status, case.outcome, case.amount_recovered, case.rating) == (
        "closed", "agreement", Decimal("12000.50"), 4)
    assert [h.to_status for h in case.history.all()] == ["submitted", "open", "closed"]


def test_closed_case_cannot_be_closed_again(tree, district_cadre, today):
    case = open_case(tree["SH-A-1-1"], district_cadre)
    svc.case_close(case=case, outcome="settled", amount_recovered=Decimal("0"), closed_on=today,
                   actor=district_cadre)
    with pytest.raises(Conflict) as exc:
        svc.case_close(case=case, outcome="award", amount_recovered=Decimal("1"),
                       closed_on=today, actor=district_cadre)
    assert exc.value.message == "当前状态“已结案”不能变为“已结案”。"
    case.refresh_from_db()
    assert case.outcome == "settled"


def test_documents_encrypted_and_reads_logged(tree, district_cadre, member_user, today):
    case = svc.case_submit(union=tree["SH-A-1-1"], dispute_type="injury", description="x",
                           known_on=dt.date(2026, 5, 1), actor=member_user)
    doc = svc.document_add(case=case, name="诊断书.pdf", content_type="application/pdf",
                           data=b"%PDF-1.4 secret", actor=member_user)
    assert b"secret" not in bytes(doc.data)
    assert svc.document_bytes(doc=doc, actor=district_cadre) == b"%PDF-1.4 secret"
    assert SensitiveRead.objects.filter(field="document", subject_id=str(case.pk)).count() == 1
    with pytest.raises(ApplicationError):
        svc.document_add(case=case, name="a.exe", content_type="application/x-msdownload",
                         data=b"MZ", actor=member_user)
    assert case.documents.count() == 1


def test_reveal_needs_purpose_and_is_logged(tree, district_cadre, today):
    case = open_case(tree["SH-A-1-1"], district_cadre, id_number="11010519491231002X")
    with pytest.raises(ApplicationError):
        svc.case_reveal_id(case=case, purpose=" ", actor=district_cadre)
    assert SensitiveRead.objects.count() == 0
    assert svc.case_reveal_id(case=case, purpose="仲裁申请书", actor=district_cadre) == \
        "11010519491231002X"
    assert SensitiveRead.objects.filter(field="worker_id_number").count() == 1
