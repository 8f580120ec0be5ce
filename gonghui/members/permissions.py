"""The only ways to reach member-registry objects: 404 outside the user's subtrees (never a hint
that the object exists), 403 when visible but the user may not change it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.members.models import Application, Membership, SelfServiceRequest, Transfer


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def access_membership(user: Any, membership_id: int | str, *, write: bool = False) -> Membership:
    queryset = scope(Membership.objects.select_related("person", "union"), user, Capability.MEMBER_READ,
                     path_field="union_path")
    membership = queryset.filter(pk=_pk(membership_id)).first()
    if membership is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MEMBER_WRITE, membership.union)
    return membership


def access_application(user: Any, application_id: int | str, *, write: bool = False) -> Application:
    queryset = scope(Application.objects.select_related("person", "union"), user, Capability.MEMBER_READ,
                     path_field="union__path")
    application = queryset.filter(pk=_pk(application_id)).first()
    if application is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MEMBER_WRITE, application.union)
    return application


def access_transfer(user: Any, transfer_id: int | str, *, side: str = "") -> Transfer:
    """A transfer is visible to both ends. `side` "to" (accept/decline) or "from" (cancel)
    requires member.write over that end; a viewer who sees only the other end gets 403, one who
    sees neither 404."""
    base = Transfer.objects.select_related("person", "from_union", "to_union", "membership")
    visible = (scope(base, user, Capability.MEMBER_READ, path_field="from_union__path")
               | scope(base, user, Capability.MEMBER_READ, path_field="to_union__path"))
    transfer = visible.filter(pk=_pk(transfer_id)).first()
    if transfer is None:
        raise NotFound()
    end = {"to": transfer.to_union, "from": transfer.from_union}.get(side)
    if end is not None and not has_capability(user, Capability.MEMBER_WRITE, end):
        raise Forbidden()  # visible from one end: 403, whichever end is asked for
    return transfer


def own_application(user: Any, application_id: int | str) -> Application:
    """A worker's own application (portal)."""
    application = Application.objects.select_related("person", "union").filter(
        Q(applicant=user) | Q(person__user=user), pk=_pk(application_id)
    ).first() if getattr(user, "pk", None) else None
    if application is None:
        raise NotFound()
    return application


def access_self_request(user: Any, request_id: int | str, *,
                        write: bool = False) -> SelfServiceRequest:
    """A member's self-service request, for the union deciding it (member.read to see it,
    member.write to decide)."""
    row = scope(SelfServiceRequest.objects.select_related("person", "union"), user,
                Capability.MEMBER_READ, path_field="union_path").filter(pk=_pk(request_id)).first()
    if row is None:
        raise NotFound()
    if write:
        require_capability(user, Capability.MEMBER_WRITE, row.union)
    return row
