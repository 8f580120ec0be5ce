"""The only ways to reach rights objects: 404 outside the viewer's subtrees (never 403, never a
hint that the object exists), 403 when visible but the viewer may not change it. A worker
reaches only their own cases (`access_own_case`)."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.actor import Actor
from gonghui.core.errors import NotFound
from gonghui.orgs.models import Employer, Org
from gonghui.rights.models import (
    Case,
    CaseDocument,
    Congress,
    Contract,
    Lawyer,
    Letter,
    RiskAlert,
)

READ, WRITE = Capability.RIGHTS_READ, Capability.RIGHTS_WRITE


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def _reach(queryset: Any, user: Actor, pk: Any, path_field: str) -> Any:
    row = scope(queryset, user, READ, path_field=path_field).filter(pk=_pk(pk)).first()
    if row is None:
        raise NotFound()
    return row


def access_case(user: Actor, case_id: Any, *, write: bool = False) -> Case:
    case: Case = _reach(Case.objects.select_related("union", "lawyer", "employer"), user,
                        case_id, "union_path")
    if write:
        require_case_write(user, case)
    return case


def require_case_write(actor: Actor, case: Case) -> None:
    require_capability(actor, WRITE, case.union)


def access_own_case(user: Any, case_id: Any) -> Case:
    """A worker's own case (the worker's portal): 404 for everyone else."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    case = (Case.objects.select_related("union", "lawyer")
            .filter(pk=_pk(case_id), worker=user).first())
    if case is None:
        raise NotFound()
    return case


def access_document(user: Actor, case: Case, document_id: Any) -> CaseDocument:
    doc = case.documents.filter(pk=_pk(document_id)).first()
    if doc is None:
        raise NotFound()
    return doc


def access_lawyer(user: Actor, lawyer_id: Any) -> Lawyer:
    lawyer: Lawyer = _reach(Lawyer.objects.select_related("org"), user, lawyer_id, "org_path")
    return lawyer


def access_letter(user: Actor, letter_id: Any, *, write: bool = False) -> Letter:
    letter: Letter = _reach(Letter.objects.select_related("org", "employer", "opinion"), user,
                            letter_id, "org_path")
    if write:
        require_capability(user, WRITE, letter.org)
    return letter


def access_contract(user: Actor, contract_id: Any, *, write: bool = False) -> Contract:
    contract: Contract = _reach(Contract.objects.select_related("org"), user, contract_id,
                                "org_path")
    if write:
        require_capability(user, WRITE, contract.org)
    return contract


def access_congress(user: Actor, congress_id: Any, *, write: bool = False) -> Congress:
    congress: Congress = _reach(Congress.objects.select_related("org", "employer"), user,
                                congress_id, "org_path")
    if write:
        require_capability(user, WRITE, congress.org)
    return congress


def access_alert(user: Actor, alert_id: Any, *, write: bool = False) -> RiskAlert:
    alert: RiskAlert = _reach(RiskAlert.objects.select_related("employer", "employer__area"),
                              user, alert_id, "area_path")
    if write:
        require_capability(user, WRITE, alert.employer.area)
    return alert


def access_employer(user: Actor, employer_id: Any, *, write: bool = False) -> Employer:
    employer: Employer = _reach(Employer.objects.select_related("area", "union"), user,
                                employer_id, "area__path")
    if write:
        require_capability(user, WRITE, employer.area)
    return employer


def access_rights_org(user: Actor, org_id: Any, *, write: bool = False) -> Org:
    """An org whose rights work the user may read (or, with write, do)."""
    queryset = scope(Org.objects.all(), user, READ)
    text = str(org_id).strip()
    lookup = {"pk": int(text)} if text.isdigit() else {"code": text.upper()}
    org = queryset.filter(**lookup).first()
    if org is None:
        raise NotFound()
    if write:
        require_capability(user, WRITE, org)
    return org
