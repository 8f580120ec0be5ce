"""Demo data for rights work (the demo.seed hook): a lawyer registry, cases at every stage in
黄浦区 (a request waiting for screening, a mediation past its 15 days, one at arbitration, a
closed one with a mediation agreement), a 意见书 and its 建议书, a wage contract in force, a
workers' congress with a session and resolution, and risk signals that raise an alert.
Built through the services; idempotent (a second run adds nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from gonghui.core import clock
from gonghui.orgs.models import Employer
from gonghui.rights.models import Body, Case, CaseKind, Delegate, Lawyer
from gonghui.rights.services import cases as case_svc
from gonghui.rights.services import congress as congress_svc
from gonghui.rights.services import contracts as contract_svc
from gonghui.rights.services import letters as letter_svc
from gonghui.rights.services import risk as risk_svc


def _at(day: dt.date) -> Any:
    return clock.frozen(dt.datetime.combine(day, dt.time(10, 0)))


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    say = stdout.write if stdout is not None else (lambda _text: None)
    district, street = orgs.get("SH-HP"), orgs.get("SH-HP-01")
    admin = users.get("admin") or users.get("huangpu")
    if district is None or street is None or admin is None:
        say("Demo rights: skipped — the demo tree has no SH-HP-01.\n")
        return
    if Lawyer.objects.filter(org=district).exists():
        say("Demo rights: already loaded.\n")
        return
    employers = list(Employer.objects.filter(area=street).order_by("pk")[:3])
    if not employers:
        say("Demo rights: skipped — no employers in SH-HP-01.\n")
        return
    today = clock.today()
    lawyer = case_svc.lawyer_add(org=district, name="周律师", kind=Lawyer.Kind.LAWYER,
                                 firm="上海申工律师事务所", phone="021-63210000", actor=admin)
    case_svc.lawyer_add(org=district, name="钱志愿", kind=Lawyer.Kind.VOLUNTEER,
                        firm="华东政法大学法律援助中心", actor=admin)
    e0 = employers[0]
    plans = [("陈建国", "wages", 40, CaseKind.MEDIATION, Decimal("18600.00")),
             ("李秀英", "dismissal", 25, CaseKind.LEGAL_AID, Decimal("42000.00")),
             ("张伟", "injury", 70, CaseKind.MEDIATION, Decimal("9000.00")),
             ("刘洋", "insurance", 5, CaseKind.MEDIATION, Decimal("0"))]
    made: list[Case] = []
    for name, dispute, back, kind, amount in plans:
        applied = today - dt.timedelta(days=back)
        with _at(applied):
            made.append(case_svc.case_open(
                union=street, kind=kind, worker_name=name, dispute_type=dispute,
                description=f"{name}反映{e0.name}的劳动争议（演示数据）", known_on=applied
                - dt.timedelta(days=20), applied_on=applied, employer=e0,
                amount_claimed=amount, lawyer=lawyer, actor=admin))
    with _at(today - dt.timedelta(days=10)):
        case_svc.case_refer(case=made[1], to_body=Body.ARBITRATION,
                            on=today - dt.timedelta(days=10), reason="调解未果，申请仲裁",
                            documents="调解记录、劳动合同复印件", actor=admin)
    with _at(today - dt.timedelta(days=50)):
        case_svc.case_hearing(case=made[2], on=today - dt.timedelta(days=50),
                              note="双方到场调解，用人单位同意分期支付", actor=admin)
        case_svc.case_close(case=made[2], outcome="agreement", amount_recovered=Decimal("8500.00"),
                            closed_on=today - dt.timedelta(days=50), actor=admin)
    with _at(today - dt.timedelta(days=30)):
        opinion = letter_svc.opinion_issue(
            org=street, employer=e0, violation="拖欠12名职工2个月工资共计186,000元。",
            legal_basis="《中华人民共和国劳动法》第五十条；《保障农民工工资支付条例》第十一条。",
            correction="立即足额支付拖欠工资，并书面答复整改情况。",
            issued_on=today - dt.timedelta(days=30), case=made[0], actor=admin)
    letter_svc.recommendation_issue(opinion=opinion, authority="黄浦区人力资源和社会保障局劳动保障监察大队",
                                    issued_on=today, actor=admin)
    _seed_contract(street, employers, today, admin)
    _seed_congress_and_risk(street, e0, today, admin)
    say(f"Demo rights: {len(made)} cases, 2 letters, 1 contract, 1 congress, risk signals.\n")


def _seed_contract(street: Any, employers: list[Employer], today: dt.date, admin: Any) -> None:
    """A regional wage contract of the street, in force since 1 January."""
    start = dt.date(today.year, 1, 1)
    with _at(start):
        contract = contract_svc.contract_start(
            org=street, kind="regional", title=f"南京东路街道{start.year}年区域性工资专项集体合同",
            requested_on=start, employers=employers, actor=admin)
        contract_svc.contract_answer(contract=contract, answered_on=start, actor=admin)
        for side in ("workers", "employer"):
            for k in range(3):
                contract_svc.representative_add(contract=contract, side=side,
                                                name=f"{'职工' if side == 'workers' else '企业'}代表{k + 1}",
                                                is_chief=k == 0, actor=admin)
        contract_svc.contract_adopt(contract=contract, adopted_on=start, delegates_total=45,
                                    delegates_present=40, votes_for=38, actor=admin)
        contract_svc.contract_sign(contract=contract, signed_on=start, term_start=start,
                                   term_end=dt.date(start.year + 2, 12, 31), actor=admin)
        contract_svc.contract_file(contract=contract, filed_on=start, received_on=start,
                                   actor=admin)


def _seed_congress_and_risk(street: Any, e0: Employer, today: dt.date, admin: Any) -> None:
    """A congress with a session and a resolution; risk signals that raise an alert."""
    with _at(today - dt.timedelta(days=400)):
        congress = congress_svc.congress_create(
            org=street, employer=e0, name=f"{e0.name}第三届职工代表大会",
            term_start=today - dt.timedelta(days=400),
            term_end=today + dt.timedelta(days=1000), actor=admin)
        groups = [Delegate.Group.FRONTLINE] * 6 + [Delegate.Group.TECHNICAL] * 2 + \
            [Delegate.Group.MANAGEMENT] * 2
        for k, group in enumerate(groups):
            congress_svc.delegate_add(congress=congress, name=f"代表{k + 1}", group=group,
                                      is_woman=k % 3 == 0, actor=admin)
        ids = list(congress.delegates.values_list("pk", flat=True))
        session = congress_svc.session_record(congress=congress, held_on=today
                                               - dt.timedelta(days=400), title="一届一次会议",
                                               attendee_ids=ids[:8], actor=admin)
        congress_svc.resolution_record(session=session, title="审议通过工资集体协商方案",
                                       votes_for=7, votes_against=1, abstained=0, actor=admin)
    for k, (signal, severity) in enumerate([("wage_arrears", 4), ("complaint", 3),
                                            ("dispute", 3), ("layoff", 2)]):
        risk_svc.signal_add(employer=e0, kind=signal, on=today - dt.timedelta(days=5 * k),
                            severity=severity, workers=12, note="演示数据", actor=admin)
