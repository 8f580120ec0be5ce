"""The only ways to reach aid objects: 404 outside the viewer's subtrees (never 403, never a
hint that the object exists), 403 when visible but the viewer may not change it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import can, scope
from gonghui.aid.models import (
    Beneficiary,
    FileDocument,
    HardshipFile,
    HouseholdMember,
    IncomeSource,
    LocalStandard,
    Programme,
)
from gonghui.aid.selectors import programme_rows_for, programmes_visible, standard_list
from gonghui.core.actor import Actor
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Org


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def access_file(user: Actor, file_id: Any, *, write: bool = False) -> HardshipFile:
    file = (scope(HardshipFile.objects.select_related("union"), user, Capability.AID_READ,
                  path_field="union_path")
            .filter(pk=_pk(file_id)).first())
    if file is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.AID_WRITE, file.union)
    return file


def access_member(user: Actor, file: HardshipFile, member_id: Any) -> HouseholdMember:
    """A household row of a file already reached through access_file."""
    member = file.household.filter(pk=_pk(member_id)).first()
    if member is None:
        raise NotFound()
    return member


def access_income(user: Actor, file: HardshipFile, income_id: Any) -> IncomeSource:
    income = file.incomes.filter(pk=_pk(income_id)).first()
    if income is None:
        raise NotFound()
    return income


def access_document(user: Actor, file: HardshipFile, document_id: Any) -> FileDocument:
    doc = file.documents.filter(pk=_pk(document_id)).first()
    if doc is None:
        raise NotFound()
    return doc


def access_programme(user: Actor, programme_id: Any, *, write: bool = False) -> Programme:
    programme = (programmes_visible(Programme.objects.select_related("org"), user)
                 .filter(pk=_pk(programme_id)).first())
    if programme is None:
        raise NotFound()
    if write:
        if not can(user, programme.org, Capability.AID_READ):
            raise Forbidden(_("这是{org}的帮扶项目：名单和审批由{org}办理，您可以查看并发放本辖区"
                              "的家庭。").format(org=programme.org.name))
        require_capability(user, Capability.AID_WRITE, programme.org)
    return programme


def access_beneficiary(user: Actor, programme: Programme, beneficiary_id: Any) -> Beneficiary:
    row = (programme_rows_for(programme, user).select_related("file", "file__union", "programme")
           .filter(pk=_pk(beneficiary_id)).first())
    if row is None:
        raise NotFound()
    return row


def access_file_beneficiary(user: Actor, file: HardshipFile, beneficiary_id: Any
                            ) -> Beneficiary:
    """A programme list row of a file already reached through access_file (a payout)."""
    row = Beneficiary.objects.filter(pk=_pk(beneficiary_id), file=file).first()
    if row is None:
        raise NotFound()
    return row


def access_standard(user: Actor, standard_id: Any, *, write: bool = False) -> LocalStandard:
    row = standard_list(viewer=user).filter(pk=_pk(standard_id)).first()
    if row is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.POLICY_WRITE, row.org, read=Capability.AID_READ)
    return row


def access_aid_org(user: Actor, org_id: Any) -> Org:
    """An org whose aid figures the user may read (dashboards, lists within a subtree)."""
    queryset = scope(Org.objects.all(), user, Capability.AID_READ)
    lookup = ({"pk": int(org_id)} if isinstance(org_id, int) or str(org_id).isdigit()
              else {"code": str(org_id).strip().upper()})
    org = queryset.filter(**lookup).first()
    if org is None:
        raise NotFound()
    return org
