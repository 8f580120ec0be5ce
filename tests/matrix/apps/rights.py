"""Route-table entries and world objects of rights (issue 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import form, get, ids, op, post
from tests.matrix.world import SIDES, UNION, Obj, World, admin, builder

RD, WR, RV = C.RIGHTS_READ, C.RIGHTS_WRITE, C.RIGHTS_REVEAL
STREET = {"A": "SH-A-1", "B": "SH-B-1"}

PAGES = {
    "rights:home": get(RD),
    "rights:cases": get(RD),
    "rights:case_new": form(WR),
    "rights:case": get(RD, "rights_case"),
    # an open case: an empty hearing form is invalid (400)
    "rights:case_act": form(WR, "rights_case", kw=ids(pk="pk", action="=hearing")),
    "rights:case_reveal": post(RV, "rights_case"),   # no purpose → 400
    "rights:document_new": form(WR, "rights_case"),
    "rights:document": get(RD, "rights_case", kw=ids(pk="pk", did="document")),
    "rights:lawyers": form(WR, read_cap=RD),
    "rights:due": get(RD),
    "rights:letters": get(RD),
    "rights:letter_new": form(WR),
    "rights:policy": form(C.POLICY_WRITE, read=RD),
    "rights:letter": get(RD, "rights_letter"),
    "rights:letter_act": form(WR, "rights_letter", kw=ids(pk="pk", action="=reply")),
    "rights:letter_pdf": get(RD, "rights_letter"),
    "rights:contracts": get(RD),
    "rights:contract_new": form(WR),
    "rights:contract": get(RD, "rights_contract"),
    "rights:contract_act": form(WR, "rights_contract", kw=ids(pk="pk", action="=answer")),
    "rights:congresses": get(RD),
    "rights:congress_new": form(WR),
    "rights:congress": get(RD, "rights_congress"),
    "rights:congress_act": form(WR, "rights_congress", kw=ids(pk="pk", action="=delegate")),
    "rights:risk": get(RD),
    "rights:risk_map": get(RD),
    "rights:signal_new": form(WR),
    "rights:signal_import": form(WR),
    # the weights are federation-wide: a district administrator may read, not change them
    "rights:weights": form(C.POLICY_WRITE, read=RD, at_root=True),
    "rights:alerts": get(RD),
    "rights:alert": get(RD, "rights_alert"),
    "rights:alert_act": form(WR, "rights_alert"),
    # the workers' portal: any signed-in worker asks; a case is its worker's only
    "rights:portal": get(access="login"),
    "rights:portal_new": form(access="login"),
    "rights:portal_case": get(access="own", obj="rights_own_case"),
    "rights:portal_rate": post(access="own", obj="rights_own_case"),
    "rights:portal_document": post(access="own", obj="rights_own_case"),
    "rights:portal_withdraw": post(access="own", obj="rights_own_case"),
}

API = {
    "GET /rights/cases": op(RD),
    "POST /rights/cases": op(WR),
    "GET /rights/cases/{case_id}": op(RD, "rights_case"),
    "POST /rights/cases/{case_id}/actions/{action}": op(
        WR, "rights_case", kw=ids(case_id="pk", action="=hearing")),
    "GET /rights/my/cases": op(access="login"),
    "POST /rights/my/cases": op(access="login"),
    "GET /rights/my/cases/{case_id}": op(access="own", obj="rights_own_case"),
    "POST /rights/my/cases/{case_id}/rate": op(access="own", obj="rights_own_case"),
    "GET /rights/letters": op(RD),
    "POST /rights/letters": op(WR),
    "GET /rights/letters/{letter_id}": op(RD, "rights_letter"),
    "POST /rights/letters/{letter_id}/actions/{action}": op(
        WR, "rights_letter", kw=ids(letter_id="pk", action="=reply")),
    "GET /rights/contracts": op(RD),
    "POST /rights/contracts": op(WR),
    "GET /rights/contracts/coverage": op(RD),
    "GET /rights/contracts/{contract_id}": op(RD, "rights_contract"),
    "POST /rights/contracts/{contract_id}/actions/{action}": op(
        WR, "rights_contract", kw=ids(contract_id="pk", action="=answer")),
    "GET /rights/congresses": op(RD),
    "POST /rights/congresses": op(WR),
    "GET /rights/congresses/{congress_id}": op(RD, "rights_congress"),
    "POST /rights/congresses/{congress_id}/actions/{action}": op(
        WR, "rights_congress", kw=ids(congress_id="pk", action="=delegate")),
    "GET /rights/risk": op(RD),
    "GET /rights/risk/map": op(RD),
    "POST /rights/risk/signals": op(WR),
    "GET /rights/alerts": op(RD),
    "GET /rights/alerts/{alert_id}": op(RD, "rights_alert"),
    "POST /rights/alerts/{alert_id}/actions": op(WR, "rights_alert"),
    "GET /rights/due": op(RD),
    "GET /rights/dashboard": op(RD),
}


def _employer(world: World, side: str, name: str) -> Any:
    from gonghui.orgs.models import Employer

    return Employer.objects.create(name=name, area=world.orgs[STREET[side]],
                                   employees_count=80)


@builder("rights_case")
def _cases(world: World) -> dict[str, Obj]:
    from gonghui.rights.services.cases import case_open, document_add

    out = {}
    for s in SIDES:
        case = case_open(union=world.orgs[UNION[s]], kind="mediation", worker_name=f"职工{s}",
                         dispute_type="wages", description="拖欠工资",
                         known_on=dt.date(2026, 9, 1), applied_on=dt.date(2026, 10, 1),
                         id_number="", amount_claimed=Decimal("5000"), actor=admin(world))
        doc = document_add(case=case, name="工资条.png", content_type="image/png",
                           data=b"\x89PNG fake", actor=admin(world))
        out[s] = Obj(case.pk, UNION[s], {"document": doc.pk})
    return out


@builder("rights_own_case")
def _own_case(world: World) -> dict[str, Obj]:
    """The worker's own request (in SH-A-1-1): theirs to follow, rate and withdraw."""
    from gonghui.rights.services.cases import case_submit

    case = case_submit(union=world.orgs[UNION["A"]], dispute_type="dismissal",
                       description="被违法解除劳动合同", known_on=dt.date(2026, 10, 1),
                       actor=world.users["worker"])
    obj = Obj(case.pk, UNION["A"], owner="worker")
    return {"A": obj, "B": obj, "worker": obj}


@builder("rights_letter")
def _letters(world: World) -> dict[str, Obj]:
    from gonghui.rights.services.letters import opinion_issue

    out = {}
    for s in SIDES:
        letter = opinion_issue(org=world.orgs[UNION[s]], employer=_employer(world, s, f"函{s}公司"),
                               violation="拖欠工资", legal_basis="劳动法第五十条",
                               correction="足额支付", issued_on=dt.date(2026, 10, 9),
                               actor=admin(world))
        out[s] = Obj(letter.pk, UNION[s])
    return out


@builder("rights_contract")
def _contracts(world: World) -> dict[str, Obj]:
    from gonghui.rights.services.contracts import contract_start

    out = {}
    for s in SIDES:
        contract = contract_start(org=world.orgs[UNION[s]], kind="wage", title=f"工资专项{s}",
                                  requested_on=dt.date(2026, 10, 1),
                                  employers=[_employer(world, s, f"约{s}公司")],
                                  actor=admin(world))
        out[s] = Obj(contract.pk, UNION[s])
    return out


@builder("rights_congress")
def _congresses(world: World) -> dict[str, Obj]:
    from gonghui.rights.services.congress import congress_create

    out = {}
    for s in SIDES:
        congress = congress_create(org=world.orgs[UNION[s]],
                                   employer=_employer(world, s, f"会{s}公司"), name=f"职代会{s}",
                                   term_start=dt.date(2025, 1, 1), term_end=dt.date(2029, 12, 31),
                                   actor=admin(world))
        out[s] = Obj(congress.pk, UNION[s])
    return out


@builder("rights_alert")
def _alerts(world: World) -> dict[str, Obj]:
    from gonghui.rights.models import RiskAlert
    from gonghui.rights.services.risk import signal_add

    out = {}
    for s in SIDES:
        employer = _employer(world, s, f"险{s}公司")
        signal_add(employer=employer, kind="collective", on=dt.date(2026, 10, 10), severity=5,
                   workers=40, actor=admin(world))
        alert = RiskAlert.objects.get(employer=employer)
        out[s] = Obj(alert.pk, STREET[s])
    return out
