from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.bounds import Count, Day, OneOf
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body, parse_patch
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Level, Org, OrgType
from gonghui.orgs.permissions import access_org

router = Router()


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    level: str
    org_type: str
    uscc: str
    industry: str
    region: str
    address: str
    founded_on: dt.date | None
    status: str
    employees_count: int
    depth: int
    parent_code: str | None


class OrgFilter(Schema):
    q: str = ""
    level: str = ""
    org_type: str = ""
    status: str = ""
    within: str = ""


LevelIn = Annotated[str, OneOf(Level.values)]
OrgTypeIn = Annotated[str, OneOf(OrgType.values)]


class OrgIn(Schema):
    parent: str
    code: str = ""
    name: str
    short_name: str = ""
    level: LevelIn
    org_type: OrgTypeIn
    uscc: str = ""
    industry: str = ""
    region: str = ""
    address: str = ""
    founded_on: Day | None = None
    employees_count: Count = 0
    contact_name: str = ""
    contact_phone: str = ""


class OrgPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    level: LevelIn | None = None
    org_type: OrgTypeIn | None = None
    uscc: str | None = None
    industry: str | None = None
    region: str | None = None
    address: str | None = None
    founded_on: Day | None = None
    employees_count: Count | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class TargetIn(Schema):
    target: str
    note: str = ""


class DissolveIn(Schema):
    note: str = ""


def _out(orgs: list[Org]) -> list[dict]:
    parent_paths = {o.path[: -Org.steplen] for o in orgs if o.depth > 1}
    codes = dict(Org.objects.filter(path__in=parent_paths).values_list("path", "code"))
    rows = []
    for o in orgs:
        row = {f: getattr(o, f) for f in OrgOut.model_fields if f != "parent_code"}
        row["parent_code"] = codes.get(o.path[: -Org.steplen]) if o.depth > 1 else None
        rows.append(row)
    return rows


def _page(request: HttpRequest, queryset: QuerySet[Org], paging: PageParams) -> dict[str, Any]:
    page = paginate(request, queryset, paging)
    page["items"] = _out(page["items"])  # parent codes of the whole page in one query
    return page


@router.get("", response=Page[OrgOut])
def list_orgs(request: HttpRequest, filters: Query[OrgFilter], paging: Query[PageParams]):
    """Orgs of the caller's subtrees, filtered; `within` narrows to one org's subtree."""
    require_capability(request.user, Capability.ORG_READ)
    within = access_org(request.user, filters.within) if filters.within else None
    queryset = selectors.org_list(viewer=request.user, q=filters.q, level=filters.level,
                                  org_type=filters.org_type, status=filters.status, within=within)
    return _page(request, queryset, paging)


@router.get("/{org_id}", response=OrgOut)
def get_org(request: HttpRequest, org_id: str):
    return _out([access_org(request.user, org_id)])[0]


@router.get("/{org_id}/children", response=Page[OrgOut])
def get_children(request: HttpRequest, org_id: str, paging: Query[PageParams]):
    org = access_org(request.user, org_id)
    return _page(request, selectors.org_children(viewer=request.user, org=org,
                                                 include_closed=True), paging)


# Writes: the gate first (404 / 403), then the body (400), then the service, which checks its
# own permission and rules again (core.payload explains why the body is not a declared param).

@router.post("", response={201: OrgOut}, openapi_extra=body_schema(OrgIn))
def create_org(request: HttpRequest):
    require_capability(request.user, Capability.ORG_WRITE)
    payload = parse_body(request, OrgIn)
    parent = access_org(request.user, payload.parent, write=True)
    data = payload.dict(exclude={"parent"})
    org = services.org_create(parent=parent, actor=request.user, **data)
    return Status(201, _out([org])[0])


@router.patch("/{org_id}", response=OrgOut, openapi_extra=body_schema(OrgPatch))
def update_org(request: HttpRequest, org_id: str):
    org = access_org(request.user, org_id, write=True)
    _payload, changes = parse_patch(request, OrgPatch)
    org = services.org_update(org=org, actor=request.user, **changes)
    return _out([org])[0]


@router.post("/{org_id}/move", response=OrgOut, openapi_extra=body_schema(TargetIn))
def move_org(request: HttpRequest, org_id: str):
    org = access_org(request.user, org_id, write=True)
    target = access_org(request.user, parse_body(request, TargetIn).target)
    return _out([services.org_move(org=org, new_parent=target, actor=request.user)])[0]


@router.post("/{org_id}/merge", response=OrgOut, openapi_extra=body_schema(TargetIn))
def merge_org(request: HttpRequest, org_id: str):
    org = access_org(request.user, org_id, write=True)
    payload = parse_body(request, TargetIn)
    target = access_org(request.user, payload.target)
    return _out([services.org_merge(source=org, target=target, actor=request.user,
                                    note=payload.note)])[0]


@router.post("/{org_id}/dissolve", response=OrgOut, openapi_extra=body_schema(DissolveIn))
def dissolve_org(request: HttpRequest, org_id: str):
    org = access_org(request.user, org_id, write=True)
    note = parse_body(request, DissolveIn).note
    return _out([services.org_dissolve(org=org, actor=request.user, note=note)])[0]
