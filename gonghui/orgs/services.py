"""Every write to the org tree. Pages, API, CLI and demo loader all come through here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.scoping import is_global
from gonghui.audit.services import audit_record, diff, snapshot
from gonghui.core import clock, hooks
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.workflow import transition
from gonghui.orgs.models import LEVEL_RANK, ORG_TRANSITIONS, Org, OrgStatus
from gonghui.orgs.selectors import figures_changed
from gonghui.orgs.validation import clean_uscc

EDITABLE_FIELDS = (
    "name", "short_name", "level", "org_type", "uscc", "industry", "region", "address",
    "founded_on", "employees_count", "contact_name", "contact_phone",
)  # fmt: skip


def _check_level(parent: Org | None, level: str) -> None:
    if parent is not None and LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
        raise ApplicationError(
            _("下级组织的层级必须低于上级组织（上级为“{parent}”）。").format(
                parent=parent.get_level_display()
            ),
            code="level_order",
        )


def _next_code(parent: Org | None) -> str:
    base = parent.code if parent is not None else "ORG"
    n = (parent.numchild if parent is not None else Org.objects.filter(depth=1).count()) + 1
    while True:
        code = f"{base}-{n:02d}"[:40]
        if not Org.objects.filter(code=code).exists():
            return code
        n += 1


def _validated(org: Org) -> None:
    org.uscc = clean_uscc(org.uscc, union=True)
    try:
        org.full_clean(exclude=["path", "depth", "numchild"])
    except ValidationError as exc:
        messages = "；".join(f"{m}" for ms in exc.message_dict.values() for m in ms)
        raise ApplicationError(messages, code="invalid") from exc


def org_create(*, parent: Org | None, actor: Actor, **fields: Any) -> Org:
    """Create an org under `parent` (None: a new root, superusers only)."""
    if parent is None:
        if not is_global(actor):
            raise Forbidden()
    else:
        require_capability(actor, Capability.ORG_WRITE, parent)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"code"}
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    _check_level(parent, fields.get("level", ""))
    with transaction.atomic():
        if parent is not None:
            parent = Org.objects.select_for_update().get(pk=parent.pk)
            if not parent.is_active:
                raise ApplicationError(_("已合并或撤销的组织下不能新建组织。"),
                                       code="parent_closed")
        org = Org(**fields)
        if not org.code:
            org.code = _next_code(parent)
        org.path, org.depth = "0" * Org.steplen, 1  # placeholders; treebeard sets them
        _validated(org)
        try:
            with transaction.atomic():
                if parent is None:
                    org = Org.objects.add_root(instance=org)
                else:
                    org = Org.objects.add_child(parent, instance=org)
        except IntegrityError as exc:
            raise Conflict(_("组织代码或统一社会信用代码已被使用。"), code="duplicate") from exc
        audit_record(actor=actor, action="org.create", obj=org, org_path=org.path,
                     after=snapshot(org))
    return org


def org_update(*, org: Org, actor: Actor, **fields: Any) -> Org:
    require_capability(actor, Capability.ORG_WRITE, org)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        org = Org.objects.select_for_update().get(pk=org.pk)
        before = snapshot(org)
        for name, value in fields.items():
            setattr(org, name, value)
        if "level" in fields:
            parent = Org.objects.get_parent(org)
            _check_level(parent, org.level)
            if any(LEVEL_RANK[c.level] <= LEVEL_RANK[org.level] for c in Org.objects.get_children(org)):
                raise ApplicationError(_("该层级不能高于或等于下级组织的层级。"), code="level_order")
        _validated(org)
        try:
            with transaction.atomic():
                org.save()
        except IntegrityError as exc:
            raise Conflict(_("统一社会信用代码已被其他组织使用。"), code="duplicate") from exc
        old, new = diff(before, snapshot(org))
        if new:
            audit_record(actor=actor, action="org.update", obj=org, org_path=org.path,
                         before=old, after=new)
    return org


def _move_under(org: Org, target: Org) -> Org:
    old_path = org.path
    try:
        Org.objects.move(org, target, "last-child")
    except InvalidMoveToDescendant as exc:
        raise ApplicationError(_("不能把组织移到它自己的下级组织之下。"), code="move_descendant") from exc
    org.refresh_from_db()
    hooks.call("org.path_changed", old_prefix=old_path, new_prefix=org.path)
    # treebeard moves the subtree by UPDATE statements, which send no signal: the figures of
    # both old and new ancestors are counted afresh (now, and again once it is committed)
    figures_changed()
    transaction.on_commit(figures_changed)
    return org


def org_move(*, org: Org, new_parent: Org, actor: Actor) -> Org:
    """Move `org` with its whole subtree under `new_parent`; every descendant's path follows."""
    require_capability(actor, Capability.ORG_WRITE, org)
    require_capability(actor, Capability.ORG_WRITE, new_parent)
    if org.depth == 1:
        raise ApplicationError(_("根组织不能移动。"), code="move_root")
    if new_parent.path.startswith(org.path):
        raise ApplicationError(_("不能把组织移到它自己或它的下级组织之下。"), code="move_descendant")
    _check_level(new_parent, org.level)
    with transaction.atomic():
        new_parent = Org.objects.select_for_update().get(pk=new_parent.pk)
        if not new_parent.is_active:
            raise ApplicationError(_("不能移到已合并或撤销的组织之下。"), code="parent_closed")
        org = Org.objects.select_for_update().get(pk=org.pk)
        old_parent = Org.objects.get_parent(org)
        before = {"parent": old_parent.code if old_parent else None, "path": org.path}
        org = _move_under(org, Org.objects.get(pk=new_parent.pk))
        audit_record(actor=actor, action="org.move", obj=org, org_path=org.path, before=before,
                     after={"parent": new_parent.code, "path": org.path})
    return org


def org_merge(*, source: Org, target: Org, actor: Actor, note: str = "") -> Org:
    """Merge `source` into `target`: its sub-orgs move under `target`, its members and other
    rows follow (org.merge hooks), and `source` stays as a closed record pointing at `target`."""
    require_capability(actor, Capability.ORG_WRITE, source)
    require_capability(actor, Capability.ORG_WRITE, target)
    if source.pk == target.pk:
        raise ApplicationError(_("不能把组织与自身合并。"), code="merge_self")
    if target.path.startswith(source.path):
        raise ApplicationError(_("不能合并到被合并组织自己的下级组织。"), code="merge_descendant")
    with transaction.atomic():
        source = Org.objects.select_for_update().get(pk=source.pk)
        target = Org.objects.select_for_update().get(pk=target.pk)
        # checked on the locked rows: a union closed meanwhile takes nothing in
        if not source.is_active or not target.is_active:
            raise ApplicationError(_("只能合并两个状态正常的组织。"), code="merge_closed")
        moved = []
        for child in list(Org.objects.get_children(source)):
            child = Org.objects.get(pk=child.pk)
            _check_level(target, child.level)
            moved.append(child.code)
            _move_under(child, Org.objects.get(pk=target.pk))
        hooks.call("org.merge", source=source, target=target, actor=actor)
        source.refresh_from_db()
        before = snapshot(source, ["status", "merged_into"])
        source = transition(source, OrgStatus.MERGED, transitions=ORG_TRANSITIONS, actor=actor,
                            reason=note, extra_fields={"merged_into": target,
                                                       "dissolved_on": clock.today()})
        audit_record(actor=actor, action="org.merge", obj=source, org_path=source.path,
                     before=before,
                     after={"status": source.status, "merged_into": target.code,
                            "moved_children": moved},
                     note=note)
    return Org.objects.get(pk=target.pk)


def org_occupancy(org: Org) -> list[str]:
    """Reasons an org is not empty: active sub-orgs plus what the domain apps report."""
    reasons: list[str] = []
    active_children = Org.objects.get_children(org).filter(status=OrgStatus.ACTIVE).count()
    if active_children:
        reasons.append(_("{n} 个下级组织").format(n=active_children))
    for app_reasons in hooks.call("org.occupancy", org=org):
        reasons.extend(app_reasons)
    return reasons


def org_dissolve(*, org: Org, actor: Actor, on: dt.date | None = None, note: str = "") -> Org:
    """Dissolve an empty union. A union that still has sub-orgs or members is refused."""
    require_capability(actor, Capability.ORG_WRITE, org)
    with transaction.atomic():
        org = Org.objects.select_for_update().get(pk=org.pk)
        if not org.is_active:
            raise ApplicationError(_("该组织已合并或撤销。"), code="already_closed")
        reasons = org_occupancy(org)
        if reasons:
            raise ApplicationError(
                _("“{name}”还有{what}，不能撤销；请先转出或合并。").format(
                    name=org.name, what="、".join(reasons)
                ),
                code="not_empty",
            )
        org = transition(org, OrgStatus.DISSOLVED, transitions=ORG_TRANSITIONS, actor=actor,
                         reason=note, extra_fields={"dissolved_on": on or clock.today()})
        audit_record(actor=actor, action="org.dissolve", obj=org, org_path=org.path,
                     before={"status": "active"},
                     after={"status": org.status, "dissolved_on": org.dissolved_on}, note=note)
    return org
