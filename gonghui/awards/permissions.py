"""The only ways to reach awards objects: 404 outside the viewer's subtrees, 403 when visible
but the viewer may not change it (the one gate, `accounts.gates.require_capability`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import is_global, prefixes, scope
from gonghui.awards.models import (
    Competition,
    Entry,
    HonourScheme,
    InnovationResult,
    ModelWorker,
    Nomination,
    Studio,
)
from gonghui.core.actor import Actor
from gonghui.core.errors import Forbidden, NotFound
from gonghui.orgs.models import Org

READ, WRITE = Capability.AWARDS_READ, Capability.AWARDS_WRITE


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc


def access_scheme(user: Actor, scheme_id: Any, *, write: bool = False) -> HonourScheme:
    """A scheme is visible to readers of its issuing union's subtree and to readers below it
    (the unions that nominate to it)."""
    scheme = HonourScheme.objects.select_related("org").filter(pk=_pk(scheme_id)).first()
    if scheme is None or not scheme_visible(user, scheme):
        raise NotFound()
    if write:
        require_scheme_manager(user, scheme)
    return scheme


def require_scheme_manager(user: Actor, scheme: HonourScheme) -> None:
    """Publishing, conferring and quotas belong to the issuing union: 403 for those who see the
    scheme from below, 404 for the rest."""
    if has_capability(user, WRITE, scheme.org):
        return
    if scheme_visible(user, scheme):
        raise Forbidden(_("只有评选工会可以进行此操作。"))
    raise NotFound()


def require_reviewer(user: Actor, nomination: Nomination) -> None:
    """Acting on a nomination belongs to the level now reviewing it: 403 for those who see it
    (the nominating union), 404 for the rest."""
    if has_capability(user, WRITE, nomination.at_org):
        return
    if has_capability(user, READ, nomination.union):
        raise Forbidden(_("只有当前审核单位可以处理该推荐。"))
    raise NotFound()


def scheme_visible(user: Actor, scheme: HonourScheme) -> bool:
    if is_global(user):
        return True
    return any(p.startswith(scheme.org_path) or scheme.org_path.startswith(p)
               for p in prefixes(user, READ))


def access_nomination(user: Actor, nomination_id: Any, *, write: bool = False) -> Nomination:
    row = (scope(Nomination.objects.select_related("scheme", "scheme__org", "union", "at_org"),
                 user, READ, path_field="union_path")
           .filter(pk=_pk(nomination_id)).first())
    if row is None:
        raise NotFound()
    if write:
        require_reviewer(user, row)
    return row


def access_model_worker(user: Actor, pk: Any, *, write: bool = False) -> ModelWorker:
    row = (scope(ModelWorker.objects.select_related("union"), user, READ,
                 path_field="union_path").filter(pk=_pk(pk)).first())
    if row is None:
        raise NotFound()
    if write:
        require_capability(user, WRITE, row.union)
    return row


def access_competition(user: Actor, pk: Any, *, write: bool = False) -> Competition:
    row = (scope(Competition.objects.select_related("org"), user, READ, path_field="org_path")
           .filter(pk=_pk(pk)).first())
    if row is None:
        raise NotFound()
    if write:
        require_capability(user, WRITE, row.org)
    return row


def access_entry(user: Actor, competition: Competition, pk: Any) -> Entry:
    row = competition.entries.filter(pk=_pk(pk)).first()
    if row is None:
        raise NotFound()
    return row


def access_studio(user: Actor, pk: Any, *, write: bool = False) -> Studio:
    row = (scope(Studio.objects.select_related("org", "lead"), user, READ, path_field="org_path")
           .filter(pk=_pk(pk)).first())
    if row is None:
        raise NotFound()
    if write:
        require_capability(user, WRITE, row.org)
    return row


def access_result(user: Actor, pk: Any) -> InnovationResult:
    row = (scope(InnovationResult.objects.select_related("org", "studio"), user, READ,
                 path_field="org_path").filter(pk=_pk(pk)).first())
    if row is None:
        raise NotFound()
    return row


def access_awards_org(user: Actor, org_id: Any, *, write: bool = False) -> Org:
    """An org chosen on a form or in an API body: visible to the user's awards reads."""
    queryset = scope(Org.objects.all(), user, READ)
    value = str(org_id).strip()
    lookup = {"pk": int(value)} if value.isdigit() else {"code": value.upper()}
    org = queryset.filter(**lookup).first()
    if org is None:
        raise NotFound()
    if write:
        require_capability(user, WRITE, org)
    return org
