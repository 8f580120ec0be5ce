"""The JSON API of rights (mounted at /api/v1/rights): every list and action of the pages, with
the same scoping. Action bodies are bound to the pages' forms after the gate, so a field is
checked one way everywhere; ID numbers appear masked only."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import ValidationError

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.bounds import Day, Days
from gonghui.core.idnumber import mask
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema
from gonghui.orgs.models import Org
from gonghui.rights import deadlines, forms, selectors
from gonghui.rights.actions import action_for
from gonghui.rights.dashboard import dashboard_figures
from gonghui.rights.models import Case, Congress, Contract, EmployerRisk, Letter, RiskAlert
from gonghui.rights.permissions import (
    access_alert,
    access_case,
    access_congress,
    access_contract,
    access_employer,
    access_letter,
    access_own_case,
    access_rights_org,
)
from gonghui.rights.services import cases as case_svc
from gonghui.rights.services import congress as congress_svc
from gonghui.rights.services import contracts as contract_svc
from gonghui.rights.services import letters as letter_svc
from gonghui.rights.services import risk as risk_svc

router = Router()
READ = Capability.RIGHTS_READ


def _body(request: HttpRequest, form: Any) -> dict[str, Any]:
    """Bind the JSON body to a page form (after the gate); 400 with the form's errors."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError([{"type": "json_invalid", "loc": ["body"],
                                "msg": "Invalid JSON"}]) from None
    if not isinstance(data, dict):
        raise ValidationError([{"type": "dict_type", "loc": ["body"], "msg": "Expected object"}])
    bound = form(data)
    if not bound.is_valid():
        raise ValidationError([{"type": "value_error", "loc": ["body", field], "msg": str(msg)}
                               for field, msgs in bound.errors.items() for msg in msgs])
    return dict(bound.cleaned_data)


# --- schemas ---------------------------------------------------------------------------------

class ClockOut(Schema):
    kind: str
    label: str
    due: dt.date
    subject: str
    url: str


class CaseOut(Schema):
    id: int
    number: str
    union: str
    kind: str
    status: str
    worker_name: str
    worker_id_masked: str
    is_member: bool
    employer_name: str
    dispute_type: str
    description: str
    workers_involved: int
    amount_claimed: Decimal
    known_on: dt.date
    applied_on: dt.date
    body: str
    body_since: dt.date
    lawyer: str | None
    outcome: str
    amount_recovered: Decimal
    closed_on: dt.date | None
    rating: int | None
    clocks: list[ClockOut]


class LetterOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    org: str
    employer_id: int
    employer: str
    addressee: str
    issued_on: dt.date
    reply_due: dt.date | None
    reply_on: dt.date | None
    opinion_id: int | None


class ContractOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    org: str
    requested_on: dt.date
    answered_on: dt.date | None
    signed_on: dt.date | None
    received_on: dt.date | None
    effective_on: dt.date | None
    term_start: dt.date | None
    term_end: dt.date | None
    employer_ids: list[int]


class CongressOut(Schema):
    id: int
    name: str
    org: str
    employer_id: int
    employer: str
    term_start: dt.date
    term_end: dt.date
    last_session_on: dt.date | None
    delegates: int
    warnings: list[str]


class RiskOut(Schema):
    employer_id: int
    employer: str
    score: Decimal
    level: str
    signals: int


class AlertOut(Schema):
    id: int
    employer_id: int
    employer: str
    level: str
    previous_level: str
    score: Decimal
    status: str


class CoverageOut(Schema):
    contracts: int
    employers: int
    workers: int


class DoneOut(Schema):
    ok: bool
    id: int | None = None


def _clock(c: Any) -> dict[str, Any]:
    return {"kind": c.kind, "label": str(c.label), "due": c.due, "subject": c.subject,
            "url": c.url}


def case_out(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk, "number": c.number, "union": c.union.code, "kind": c.kind,
        "status": c.status, "worker_name": c.worker_name,
        "worker_id_masked": mask(c.worker_id_number) if c.worker_id_number else "",
        "is_member": c.is_member, "employer_name": c.employer_name,
        "dispute_type": c.dispute_type, "description": c.description,
        "workers_involved": c.workers_involved, "amount_claimed": c.amount_claimed,
        "known_on": c.known_on, "applied_on": c.applied_on, "body": c.body,
        "body_since": c.body_since, "lawyer": c.lawyer.name if c.lawyer else None,
        "outcome": c.outcome, "amount_recovered": c.amount_recovered, "closed_on": c.closed_on,
        "rating": c.rating, "clocks": [_clock(k) for k in deadlines.case_clocks(c)]}


def letter_out(x: Letter) -> dict[str, Any]:
    return {"id": x.pk, "number": x.number, "kind": x.kind, "status": x.status,
            "org": x.org.code, "employer_id": x.employer_id, "employer": x.employer.name,
            "addressee": x.addressee, "issued_on": x.issued_on, "reply_due": x.reply_due,
            "reply_on": x.reply_on, "opinion_id": x.opinion_id}


def contract_out(x: Contract) -> dict[str, Any]:
    return {"id": x.pk, "title": x.title, "kind": x.kind, "status": x.status, "org": x.org.code,
            "requested_on": x.requested_on, "answered_on": x.answered_on,
            "signed_on": x.signed_on, "received_on": x.received_on,
            "effective_on": x.effective_on, "term_start": x.term_start, "term_end": x.term_end,
            "employer_ids": sorted(x.coverage.values_list("employer_id", flat=True))}


def congress_out(x: Congress) -> dict[str, Any]:
    return {"id": x.pk, "name": x.name, "org": x.org.code, "employer_id": x.employer_id,
            "employer": x.employer.name, "term_start": x.term_start, "term_end": x.term_end,
            "last_session_on": x.last_session_on,
            "delegates": x.delegates.filter(active=True).count(),
            "warnings": [str(w) for w in congress_svc.roster_warnings(x)]}


def risk_out(r: EmployerRisk) -> dict[str, Any]:
    return {"employer_id": r.employer_id, "employer": r.employer.name, "score": r.score,
            "level": r.level, "signals": r.signals}


def alert_out(a: RiskAlert) -> dict[str, Any]:
    return {"id": a.pk, "employer_id": a.employer_id, "employer": a.employer.name,
            "level": a.level, "previous_level": a.previous_level, "score": a.score,
            "status": a.status}


def _within(user: Any, org: str) -> Org | None:
    return access_rights_org(user, org) if org else None


def _act(request: HttpRequest, obj: Any, action: str) -> Any:
    spec = action_for(obj, action)
    data = _body(request, lambda d: spec.form(obj, d))
    return spec.run(obj, data, request.user)


# --- cases -----------------------------------------------------------------------------------

@router.get("/cases", response=Page[CaseOut])
def list_cases(request: HttpRequest, paging: Query[PageParams], q: str = "", status: str = "",
               kind: str = "", dispute_type: str = "", body: str = "", org: str = "",
               overdue: bool = False) -> Any:
    require_capability(request.user, READ)
    rows = selectors.case_list(viewer=request.user, q=q, status=status, kind=kind,
                               dispute_type=dispute_type, body=body,
                               within=_within(request.user, org), overdue=overdue)
    return paginate(request, rows, paging, item=case_out)


@router.post("/cases", response={201: CaseOut})
def open_case(request: HttpRequest) -> Any:
    require_capability(request.user, Capability.RIGHTS_WRITE)
    data = _body(request, forms.CaseOpenForm)
    union = access_rights_org(request.user, data.pop("union"), write=True)
    employer_id = data.pop("employer")
    employer = access_employer(request.user, employer_id) if employer_id else None
    kind = data.pop("kind")
    case = case_svc.case_open(union=union, kind=kind, employer=employer, actor=request.user,
                              **data)
    return 201, case_out(case)


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: int) -> Any:
    return case_out(access_case(request.user, case_id))


@router.post("/cases/{case_id}/actions/{action}", response=CaseOut)
def act_on_case(request: HttpRequest, case_id: int, action: str) -> Any:
    case = access_case(request.user, case_id, write=True)
    _act(request, case, action)
    return case_out(access_case(request.user, case_id))


# --- the worker's own cases ------------------------------------------------------------------

@router.get("/my/cases", response=Page[CaseOut])
def my_cases(request: HttpRequest, paging: Query[PageParams]) -> Any:
    return paginate(request, selectors.own_cases(user=request.user), paging, item=case_out)


class PortalCaseIn(Schema):
    union: str
    dispute_type: str
    description: str
    known_on: Day
    employer_name: str = ""
    phone: str = ""
    workers_involved: int = 1
    amount_claimed: Decimal = Decimal("0")
    id_number: str = ""


@router.post("/my/cases", response={201: CaseOut}, openapi_extra=body_schema(PortalCaseIn))
def submit_case(request: HttpRequest) -> Any:
    unions = [(o.code, o.name) for o in Org.objects.filter(status="active")
              .exclude(level="city").only("code", "name")]
    data = _body(request, lambda d: forms.PortalCaseForm(d, unions=unions))
    data.pop("file", None)
    union = Org.objects.get(code=data.pop("union"))
    case = case_svc.case_submit(union=union, actor=request.user, **data)
    return 201, case_out(case)


@router.get("/my/cases/{case_id}", response=CaseOut)
def my_case(request: HttpRequest, case_id: int) -> Any:
    return case_out(access_own_case(request.user, case_id))


@router.post("/my/cases/{case_id}/rate", response=CaseOut)
def rate_case(request: HttpRequest, case_id: int) -> Any:
    case = access_own_case(request.user, case_id)
    data = _body(request, forms.RateForm)
    case_svc.case_rate(case=case, rating=data["rating"], comment=data["comment"],
                       actor=request.user)
    return case_out(access_own_case(request.user, case_id))


# --- letters ---------------------------------------------------------------------------------

@router.get("/letters", response=Page[LetterOut])
def list_letters(request: HttpRequest, paging: Query[PageParams], q: str = "", kind: str = "",
                 status: str = "", overdue: bool = False) -> Any:
    require_capability(request.user, READ)
    rows = selectors.letter_list(viewer=request.user, q=q, kind=kind, status=status,
                                 overdue=overdue)
    return paginate(request, rows, paging, item=letter_out)


@router.post("/letters", response={201: LetterOut})
def issue_letter(request: HttpRequest) -> Any:
    require_capability(request.user, Capability.RIGHTS_WRITE)
    data = _body(request, forms.OpinionForm)
    org = access_rights_org(request.user, data.pop("org"), write=True)
    employer = access_employer(request.user, data.pop("employer"))
    letter = letter_svc.opinion_issue(org=org, employer=employer, actor=request.user, **data)
    return 201, letter_out(letter)


@router.get("/letters/{letter_id}", response=LetterOut)
def get_letter(request: HttpRequest, letter_id: int) -> Any:
    return letter_out(access_letter(request.user, letter_id))


@router.post("/letters/{letter_id}/actions/{action}", response=LetterOut)
def act_on_letter(request: HttpRequest, letter_id: int, action: str) -> Any:
    letter = access_letter(request.user, letter_id, write=True)
    result = _act(request, letter, action)
    if isinstance(result, Letter) and result.pk != letter.pk:
        return letter_out(access_letter(request.user, result.pk))
    return letter_out(access_letter(request.user, letter_id))


# --- contracts -------------------------------------------------------------------------------

@router.get("/contracts", response=Page[ContractOut])
def list_contracts(request: HttpRequest, paging: Query[PageParams], q: str = "",
                   kind: str = "", status: str = "", renewal: bool = False) -> Any:
    require_capability(request.user, READ)
    rows = selectors.contract_list(viewer=request.user, q=q, kind=kind, status=status,
                                   renewal=renewal).prefetch_related("coverage")
    return paginate(request, rows, paging, item=contract_out)


@router.post("/contracts", response={201: ContractOut})
def start_contract(request: HttpRequest) -> Any:
    require_capability(request.user, Capability.RIGHTS_WRITE)
    data = _body(request, forms.ContractForm)
    org = access_rights_org(request.user, data.pop("org"), write=True)
    employers = [access_employer(request.user, pk) for pk in data.pop("employers")]
    contract = contract_svc.contract_start(org=org, employers=employers, actor=request.user,
                                           **data)
    return 201, contract_out(contract)


@router.get("/contracts/coverage", response=CoverageOut)
def contract_coverage(request: HttpRequest, org: str = "") -> Any:
    require_capability(request.user, READ)
    return selectors.coverage(viewer=request.user, within=_within(request.user, org))


@router.get("/contracts/{contract_id}", response=ContractOut)
def get_contract(request: HttpRequest, contract_id: int) -> Any:
    return contract_out(access_contract(request.user, contract_id))


@router.post("/contracts/{contract_id}/actions/{action}", response=ContractOut)
def act_on_contract(request: HttpRequest, contract_id: int, action: str) -> Any:
    contract = access_contract(request.user, contract_id, write=True)
    _act(request, contract, action)
    return contract_out(access_contract(request.user, contract_id))


# --- congresses ------------------------------------------------------------------------------

@router.get("/congresses", response=Page[CongressOut])
def list_congresses(request: HttpRequest, paging: Query[PageParams], q: str = "",
                    lapsed: bool = False) -> Any:
    require_capability(request.user, READ)
    rows = selectors.congress_list(viewer=request.user, q=q, lapsed=lapsed)
    return paginate(request, rows, paging, item=congress_out)


@router.post("/congresses", response={201: CongressOut})
def create_congress(request: HttpRequest) -> Any:
    require_capability(request.user, Capability.RIGHTS_WRITE)
    data = _body(request, forms.CongressForm)
    org = access_rights_org(request.user, data.pop("org"), write=True)
    employer = access_employer(request.user, data.pop("employer"))
    congress = congress_svc.congress_create(org=org, employer=employer, actor=request.user,
                                            **data)
    return 201, congress_out(congress)


@router.get("/congresses/{congress_id}", response=CongressOut)
def get_congress(request: HttpRequest, congress_id: int) -> Any:
    return congress_out(access_congress(request.user, congress_id))


@router.post("/congresses/{congress_id}/actions/{action}", response=DoneOut)
def act_on_congress(request: HttpRequest, congress_id: int, action: str) -> Any:
    congress = access_congress(request.user, congress_id, write=True)
    result = _act(request, congress, action)
    return {"ok": True, "id": getattr(result, "pk", None)}


# --- risk ------------------------------------------------------------------------------------

@router.get("/risk", response=Page[RiskOut])
def list_risk(request: HttpRequest, paging: Query[PageParams], level: str = "", q: str = "",
              org: str = "") -> Any:
    require_capability(request.user, READ)
    rows = selectors.risk_list(viewer=request.user, level=level, q=q,
                               within=_within(request.user, org))
    return paginate(request, rows, paging, item=risk_out, count=False)


class RiskAreaOut(Schema):
    code: str
    name: str
    own: bool
    levels: dict[str, int]
    total: int
    hot: int
    hot_pct: str


class RiskMapOut(Schema):
    org: str | None
    name: str | None
    areas: list[RiskAreaOut]


@router.get("/risk/map", response=RiskMapOut)
def risk_map(request: HttpRequest, org: str = "") -> Any:
    """The district risk map: employers by level per area one level below `org` (default: the
    top of the viewer's subtree)."""
    require_capability(request.user, READ)
    within = _within(request.user, org) or selectors.risk_home_area(request.user)
    areas = selectors.risk_map(viewer=request.user, within=within) if within else []
    return {"org": within.code if within else None, "name": within.name if within else None,
            "areas": [{**a, "levels": dict(a["levels"])} for a in areas]}


@router.post("/risk/signals", response={201: RiskOut})
def add_signal(request: HttpRequest) -> Any:
    require_capability(request.user, Capability.RIGHTS_WRITE)
    data = _body(request, forms.SignalForm)
    employer = access_employer(request.user, data.pop("employer"), write=True)
    data["workers"] = data["workers"] or 0
    data["amount"] = data["amount"] or 0
    risk_svc.signal_add(employer=employer, actor=request.user, **data)
    return 201, risk_out(EmployerRisk.objects.select_related("employer").get(employer=employer))


@router.get("/alerts", response=Page[AlertOut])
def list_alerts(request: HttpRequest, paging: Query[PageParams], status: str = "",
                level: str = "") -> Any:
    require_capability(request.user, READ)
    rows = selectors.alert_list(viewer=request.user, status=status, level=level)
    return paginate(request, rows, paging, item=alert_out)


@router.get("/alerts/{alert_id}", response=AlertOut)
def get_alert(request: HttpRequest, alert_id: int) -> Any:
    return alert_out(access_alert(request.user, alert_id))


@router.post("/alerts/{alert_id}/actions", response=AlertOut)
def act_on_alert(request: HttpRequest, alert_id: int) -> Any:
    alert = access_alert(request.user, alert_id, write=True)
    _act(request, alert, "act")
    return alert_out(access_alert(request.user, alert_id))


# --- due and dashboard -----------------------------------------------------------------------

@router.get("/due", response=list[ClockOut])
def due(request: HttpRequest, days: Days = 7) -> Any:
    require_capability(request.user, READ)
    days = max(1, min(days, 90))
    return [_clock(c) for c in deadlines.due(viewer=request.user, days=days,
                                             today=clock.today())]


@router.get("/dashboard", response=dict[str, Any])
def dashboard(request: HttpRequest, org: str = "") -> Any:
    require_capability(request.user, READ)
    figures = dashboard_figures(viewer=request.user, within=_within(request.user, org))
    figures["recovered"] = str(figures["recovered"])
    return figures
