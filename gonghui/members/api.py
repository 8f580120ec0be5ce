"""JSON API of the member registry: /api/v1/members, /api/v1/applications, /api/v1/transfers.
Same services, selectors and access functions as the pages; ID numbers only masked, except
through POST /members/{id}/reveal (logged)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.bounds import Day
from gonghui.core.errors import NotFound
from gonghui.core.pagination import bounded_count
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_patch
from gonghui.members import selectors, services
from gonghui.members.models import Application, Membership, Transfer
from gonghui.members.permissions import access_application, access_membership, access_transfer
from gonghui.members.seniority import seniority_years
from gonghui.members.services import identity
from gonghui.orgs.permissions import access_org

router = Router()


class PersonOut(Schema):
    name: str
    gender: str
    id_number_masked: str
    birth_date: dt.date
    ethnicity: str
    phone: str
    education: str
    political_status: str
    household_type: str
    employment_form: str
    new_employment_group: str
    employer_name: str
    occupation: str
    skill_level: str
    monthly_wage: Decimal | None


class MemberOut(Schema):
    id: int
    union: str
    union_name: str
    status: str
    joined_on: dt.date
    seniority_since: dt.date
    # 会龄 in full years today (members.seniority: the one function of card, lists, exports, API)
    seniority_years: int
    retired_on: dt.date | None
    legacy_card_number: str
    ended_on: dt.date | None
    end_reason: str
    card_number: str | None
    last_dues_on: dt.date | None
    last_activity_on: dt.date | None
    lapse_flagged_on: dt.date | None
    person: PersonOut


class MemberFilter(Schema):
    q: str = ""
    status: str = ""
    org: str = ""
    new_employment: str = ""
    flagged: bool = False
    gender: str = Field("", max_length=1, description="M or F")
    age: str = Field("", max_length=8, description="an age band: ≤35, 36-45, 46-54, ≥55")
    seniority: str = Field("", max_length=8,
                           description="a 会龄 band in years: 0-1, 1-5, 5-10, 10-20, 20-30, 30-")


class PersonIn(Schema):
    name: str
    id_number: str
    gender: str = ""
    birth_date: str = ""
    ethnicity: str = ""
    phone: str = ""
    education: str = ""
    political_status: str = ""
    household_type: str = ""
    employment_form: str = ""
    new_employment_group: str = ""
    employer_name: str = ""
    occupation: str = ""
    skill_level: str = ""
    monthly_wage: str = ""


class MemberIn(PersonIn):
    union: str
    joined_on: str = ""
    reason: str = ""


class PersonPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    education: str | None = None
    political_status: str | None = None
    household_type: str | None = None
    employment_form: str | None = None
    new_employment_group: str | None = None
    employer_name: str | None = None
    occupation: str | None = None
    skill_level: str | None = None
    monthly_wage: str | None = None
    reason: str = ""


class StatusIn(Schema):
    status: str
    reason: str
    on: Day | None = None


class RevealIn(Schema):
    purpose: str


class RevealOut(Schema):
    id_number: str


class StatsOut(Schema):
    org: str
    active: int
    retired: int
    new_employment: int
    joins: int
    exits: int
    transfers_in: int
    transfers_out: int


def _person(p: Any) -> dict[str, Any]:
    data = {f: getattr(p, f) for f in PersonOut.model_fields if f != "id_number_masked"}
    data["id_number_masked"] = p.masked_id
    return data


def _member(m: Membership) -> dict[str, Any]:
    data = {f: getattr(m, f) for f in MemberOut.model_fields
            if f not in ("union", "union_name", "person", "seniority_years")}
    data.update(union=m.union.code, union_name=m.union.name, person=_person(m.person),
                seniority_years=seniority_years(m, clock.today()))
    return data


def _within(request: HttpRequest, code: str) -> Any:
    """The `org` filter of a list: an org whose members the caller may read (else 404)."""
    if not code:
        return None
    within = access_org(request.user, code.upper())
    require_capability(request.user, Capability.MEMBER_READ, within)
    return within


@router.get("/members", response=Page[MemberOut], tags=["members"])
def list_members(request: HttpRequest, filters: Query[MemberFilter],
                 paging: Query[PageParams]) -> dict[str, Any]:
    """Members in the caller's subtrees. `q`: exact ID number (blind index), mobile, card number
    or the beginning of a name. Unfiltered counts come from the per-union counters."""
    require_capability(request.user, Capability.MEMBER_READ)
    within = _within(request, filters.org)
    chosen = filters.dict(exclude={"org"})
    queryset = selectors.member_list(viewer=request.user, within=within, **chosen)
    count = selectors.member_list_count(viewer=request.user, within=within, **chosen)
    page = paginate(request, queryset, paging, item=_member, count=False, keyed=True)
    # the counters when unfiltered, else a COUNT within the budget (null past it: `next` pages)
    page["count"] = count if count is not None else bounded_count(queryset)
    return page


class MemberSearchIn(Schema):
    q: str
    status: str = "all"
    org: str = ""


@router.post("/members/search", response=Page[MemberOut], tags=["members"],
             openapi_extra=body_schema(MemberSearchIn))
def search_members(request: HttpRequest, paging: Query[PageParams]) -> dict[str, Any]:
    """The member list searched by a value that must not travel in a URL — an ID number —
    sent in the body (issue 13 item 4: URLs end up in access logs, proxies and history)."""
    require_capability(request.user, Capability.MEMBER_READ)
    payload = parse_body(request, MemberSearchIn)
    within = _within(request, payload.org)
    queryset = selectors.member_list(viewer=request.user, q=payload.q, status=payload.status,
                                     within=within)
    return paginate(request, queryset, paging, item=_member)


@router.get("/members/stats", response=StatsOut, tags=["members"])
def member_stats(request: HttpRequest, org: str) -> dict[str, Any]:
    """Subtree counters of one org: members, retired, new-employment, this month's movements."""
    target = access_org(request.user, org.upper())
    require_capability(request.user, Capability.STATS_READ, target)
    stats = selectors.member_stats(org=target, today=clock.today())
    return {"org": target.code, **stats.__dict__}


@router.get("/members/{member_id}", response=MemberOut, tags=["members"])
def get_member(request: HttpRequest, member_id: int) -> Any:
    return _member(access_membership(request.user, member_id))


@router.post("/members", response={201: MemberOut}, tags=["members"],
             openapi_extra=body_schema(MemberIn))
def add_member(request: HttpRequest) -> Any:
    require_capability(request.user, Capability.MEMBER_WRITE)  # the gate before the payload
    payload = parse_body(request, MemberIn)
    union = access_org(request.user, payload.union.upper())
    fields = payload.dict(exclude={"union", "joined_on", "reason"})
    membership = services.member_add(union=union, fields=fields, actor=request.user,
                                     joined_on=payload.joined_on or None, reason=payload.reason)
    return Status(201, _member(access_membership(request.user, membership.pk)))


@router.patch("/members/{member_id}", response=MemberOut, tags=["members"],
              openapi_extra=body_schema(PersonPatch))
def update_member(request: HttpRequest, member_id: int) -> Any:
    membership = access_membership(request.user, member_id, write=True)
    payload, fields = parse_patch(request, PersonPatch, exclude=("reason",))
    services.member_update(membership=membership, fields=fields, actor=request.user,
                           reason=payload.reason)
    return _member(access_membership(request.user, member_id))


@router.post("/members/{member_id}/status", response=MemberOut, tags=["members"],
             openapi_extra=body_schema(StatusIn))
def set_status(request: HttpRequest, member_id: int) -> Any:
    """retired / withdrawn / deceased, with a reason."""
    membership = access_membership(request.user, member_id, write=True)
    payload = parse_body(request, StatusIn)
    services.membership_set_status(membership=membership, target=payload.status,
                                   actor=request.user, reason=payload.reason, on=payload.on)
    return _member(access_membership(request.user, member_id))


@router.post("/members/{member_id}/reveal", response=RevealOut, tags=["members"],
             openapi_extra=body_schema(RevealIn))
def reveal(request: HttpRequest, member_id: int) -> Any:
    """The full ID number (roles with member.reveal); every call is logged with its purpose."""
    membership = access_membership(request.user, member_id)
    # the gate before the payload (the service checks again, with the purpose)
    require_capability(request.user, Capability.MEMBER_REVEAL, membership.union)
    payload = parse_body(request, RevealIn)
    return {"id_number": services.id_number_reveal(membership=membership, actor=request.user,
                                                   purpose=payload.purpose)}


# --- applications ----------------------------------------------------------------------------

class ApplicationOut(Schema):
    id: int
    union: str
    union_name: str
    status: str
    basis: str
    decision_reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    name: str
    id_number_masked: str
    data: dict
    card_number: str | None


class ApplicationIn(PersonIn):
    union: str
    basis: str = ""


class DecisionIn(Schema):
    reason: str = ""


class ApplicationFilter(Schema):
    status: str = "submitted"
    q: str = ""
    org: str = ""


def _application(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk, "union": a.union.code, "union_name": a.union.name, "status": a.status,
        "basis": a.basis, "decision_reason": a.decision_reason, "created_at": a.created_at,
        "decided_at": a.decided_at, "name": a.person.name, "id_number_masked": a.person.masked_id,
        "data": a.data, "card_number": a.membership.card_number if a.membership else None,
    }


@router.get("/applications", response=Page[ApplicationOut], tags=["members"])
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter],
                      paging: Query[PageParams]) -> dict[str, Any]:
    require_capability(request.user, Capability.MEMBER_READ)
    within = _within(request, filters.org)
    queryset = selectors.application_list(viewer=request.user, status=filters.status,
                                          q=filters.q, within=within) \
        .select_related("membership")
    return paginate(request, queryset, paging, item=_application)


@router.get("/applications/{application_id}", response=ApplicationOut, tags=["members"])
def get_application(request: HttpRequest, application_id: int) -> Any:
    return _application(access_application(request.user, application_id))


@router.post("/applications", response={201: ApplicationOut}, tags=["members"])
def submit_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    """A worker applies to a union of the public directory (or a cadre on their behalf)."""
    union = selectors.member_unions().filter(code=payload.union.upper()).first()
    if union is None:
        raise NotFound()
    fields = payload.dict(exclude={"union", "basis"})
    identity.join_attempt(user=request.user, ip=request.META.get("REMOTE_ADDR") or None)
    application = services.application_submit(union=union, fields=fields, actor=request.user,
                                              basis=payload.basis)
    if application.applicant_id == request.user.pk:
        # the worker's own application answers with what they typed, never with what the
        # registry holds for that ID number (issue 13 item 2)
        return Status(201, {**_application(application),
                            "name": application.data.get("name", "")})
    return Status(201, _application(application))


@router.post("/applications/{application_id}/approve", response=ApplicationOut,
             tags=["members"], openapi_extra=body_schema(DecisionIn))
def approve_application(request: HttpRequest, application_id: int) -> Any:
    application = access_application(request.user, application_id, write=True)
    payload = parse_body(request, DecisionIn)
    services.application_approve(application=application, actor=request.user,
                                 reason=payload.reason)
    return _application(access_application(request.user, application_id))


@router.post("/applications/{application_id}/reject", response=ApplicationOut,
             tags=["members"], openapi_extra=body_schema(DecisionIn))
def reject_application(request: HttpRequest, application_id: int) -> Any:
    application = access_application(request.user, application_id, write=True)
    payload = parse_body(request, DecisionIn)
    services.application_reject(application=application, actor=request.user,
                                reason=payload.reason)
    return _application(access_application(request.user, application_id))


# --- transfers -------------------------------------------------------------------------------

class TransferOut(Schema):
    id: int
    member_id: int
    name: str
    from_union: str
    to_union: str
    origin: str
    status: str
    reason: str
    new_employer: str
    decision_reason: str
    created_at: dt.datetime
    new_member_id: int | None


class TransferIn(Schema):
    member_id: int
    to_union: str
    reason: str = ""
    new_employer: str = ""


class TransferFilter(Schema):
    direction: str = "in"
    status: str = "pending"


def _transfer(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.pk, "member_id": t.membership_id, "name": t.person.name,
        "from_union": t.from_union.code, "to_union": t.to_union.code, "origin": t.origin,
        "status": t.status, "reason": t.reason, "new_employer": t.new_employer,
        "decision_reason": t.decision_reason, "created_at": t.created_at,
        "new_member_id": t.new_membership_id,
    }


@router.get("/transfers", response=Page[TransferOut], tags=["members"])
def list_transfers(request: HttpRequest, filters: Query[TransferFilter],
                   paging: Query[PageParams]) -> dict[str, Any]:
    require_capability(request.user, Capability.MEMBER_READ)
    queryset = selectors.transfer_list(viewer=request.user, direction=filters.direction,
                                       status=filters.status)
    return paginate(request, queryset, paging, item=_transfer)


@router.get("/transfers/{transfer_id}", response=TransferOut, tags=["members"])
def get_transfer(request: HttpRequest, transfer_id: int) -> Any:
    return _transfer(access_transfer(request.user, transfer_id))


@router.post("/transfers", response={201: TransferOut}, tags=["members"],
             openapi_extra=body_schema(TransferIn))
def start_transfer(request: HttpRequest) -> Any:
    """The member's union starts a transfer to another union (any union of the directory)."""
    require_capability(request.user, Capability.MEMBER_WRITE)  # the gate before the payload
    payload = parse_body(request, TransferIn)
    membership = access_membership(request.user, payload.member_id, write=True)
    target = selectors.member_unions().filter(code=payload.to_union.upper()).first()
    if target is None:
        raise NotFound()
    transfer = services.transfer_start(membership=membership, to_union=target,
                                       actor=request.user, reason=payload.reason,
                                       new_employer=payload.new_employer)
    return Status(201, _transfer(transfer))


@router.post("/transfers/{transfer_id}/accept", response=TransferOut, tags=["members"],
             openapi_extra=body_schema(DecisionIn))
def accept_transfer(request: HttpRequest, transfer_id: int) -> Any:
    transfer = access_transfer(request.user, transfer_id, side="to")
    payload = parse_body(request, DecisionIn)
    services.transfer_accept(transfer=transfer, actor=request.user, note=payload.reason)
    return _transfer(access_transfer(request.user, transfer_id))


@router.post("/transfers/{transfer_id}/decline", response=TransferOut, tags=["members"],
             openapi_extra=body_schema(DecisionIn))
def decline_transfer(request: HttpRequest, transfer_id: int) -> Any:
    transfer = access_transfer(request.user, transfer_id, side="to")
    payload = parse_body(request, DecisionIn)
    services.transfer_decline(transfer=transfer, actor=request.user, reason=payload.reason)
    return _transfer(access_transfer(request.user, transfer_id))


@router.post("/transfers/{transfer_id}/cancel", response=TransferOut, tags=["members"],
             openapi_extra=body_schema(DecisionIn))
def cancel_transfer(request: HttpRequest, transfer_id: int) -> Any:
    transfer = access_transfer(request.user, transfer_id, side="from")
    payload = parse_body(request, DecisionIn)
    services.transfer_cancel(transfer=transfer, actor=request.user, reason=payload.reason)
    return _transfer(access_transfer(request.user, transfer_id))
