"""Saved filters of the member list (常用筛选): a cadre names the list's current filter set and
gets it back as a chip. Stored per user; applying one goes through the list's own filters and
scoping, so a saved filter never shows more than the cadre may see today.

Only the list's choice filters are kept (`FILTER_KEYS`); the search text is not, since it may
be an ID number or a mobile number (no plaintext personal data at rest outside its field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.members.models import SavedFilter

FILTER_KEYS = ("org", "status", "new_employment", "gender", "age", "seniority", "flagged")
NAME_LIMIT = 40
PER_USER = 20


def filter_params(values: Mapping[str, Any]) -> dict[str, str]:
    """The list's choice filters of `values` (a QueryDict or dict), empty ones left out."""
    params = {}
    for key in FILTER_KEYS:
        value = str(values.get(key, "") or "").strip()[:64]
        if value:
            params[key] = value
    return params


def querystring(saved: SavedFilter) -> str:
    """The member list's query string of a saved filter."""
    return urlencode(filter_params(saved.params))


def saved_filters(*, user: Any) -> Any:
    return SavedFilter.objects.filter(user=user).order_by("name", "id")


def saved_filter_save(*, actor: Actor, name: str, values: Mapping[str, Any]) -> SavedFilter:
    """Save the current filters under `name` (the same name again replaces them)."""
    require_capability(actor, Capability.MEMBER_READ)
    user = actor_user(actor)
    if user is None:
        raise NotFound()
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("请为常用筛选起一个名称。"), code="name_required",
                               extra={"field": "name"})
    if len(name) > NAME_LIMIT:
        raise ApplicationError(_("名称最多 {n} 个字。").format(n=NAME_LIMIT), code="too_long",
                               extra={"field": "name"})
    params = filter_params(values)
    if not params:
        raise ApplicationError(_("当前没有筛选条件，请先选择条件再保存。"), code="filters_empty")
    with transaction.atomic():
        existing = SavedFilter.objects.select_for_update().filter(user=user, name=name).first()
        if existing is None and SavedFilter.objects.filter(user=user).count() >= PER_USER:
            raise Conflict(_("常用筛选最多保存 {n} 个，请先删除不用的。").format(n=PER_USER),
                           code="too_many")
        before = existing.params if existing is not None else None
        if existing is not None:
            existing.params = params
            existing.save(update_fields=["params", "updated_at"])
            saved = existing
        else:
            try:
                with transaction.atomic():
                    saved = SavedFilter.objects.create(user=user, name=name, params=params)
            except IntegrityError as exc:  # the same name saved at the same moment
                raise Conflict(_("已有同名的常用筛选，请换一个名称。"),
                               code="name_taken") from exc
        audit_record(actor=actor, action="members.saved_filter_save", obj=saved,
                     before={"params": before} if before is not None else None,
                     after={"name": name, "params": params})
    return saved


def saved_filter_delete(*, actor: Actor, filter_id: int) -> None:
    """Delete one of the actor's own saved filters (another user's is 404)."""
    user = actor_user(actor)
    with transaction.atomic():
        saved = (SavedFilter.objects.select_for_update().filter(pk=filter_id, user=user).first()
                 if user is not None else None)
        if saved is None:
            raise NotFound()
        audit_record(actor=actor, action="members.saved_filter_delete", obj=saved,
                     before={"name": saved.name, "params": saved.params})
        saved.delete()
