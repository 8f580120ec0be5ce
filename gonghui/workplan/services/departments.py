"""A federation's departments (its internal units, a reusable list per org) and their members."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import RoleAssignment
from gonghui.audit.services import audit_record, snapshot
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.orgs.models import Org
from gonghui.workplan.models import Department, DepartmentMembership
from gonghui.workplan.permissions import can_issue, require_write

NAME_MAX = 64


def clean_department_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("部门名称不能为空。"), code="department_name_empty")
    if len(name) > NAME_MAX:
        raise ApplicationError(_("部门名称“{name}”过长（最多 {n} 个字）。").format(name=name[:20],
                               n=NAME_MAX), code="department_name_long")
    return name


def departments_ensure(*, org: Org, names: Iterable[str], actor: Actor) -> dict[str, Department]:
    """The departments of `org` with these names, creating the missing ones (e.g. from an
    imported plan's 责任单位). Internal: must run inside the caller's transaction, after the
    caller's checks (plan_create)."""
    wanted = []
    for raw in names:
        name = clean_department_name(raw)
        if name not in wanted:
            wanted.append(name)
    existing = {d.name: d for d in Department.objects.filter(org=org, name__in=wanted)}
    next_order = (Department.objects.filter(org=org).order_by("-sort_order")
                  .values_list("sort_order", flat=True).first() or 0)
    for name in wanted:
        if name in existing:
            continue
        next_order += 10
        department = Department.objects.create(org=org, name=name, sort_order=next_order)
        audit_record(actor=actor, action="workplan.department_create", obj=department,
                     org_path=org.path, after=snapshot(department))
        existing[name] = department
    return existing


def department_create(*, org: Org, name: str, actor: Actor) -> Department:
    """A department of a federation that issues plans (the same rule as plan_create)."""
    require_write(actor, org)
    if not can_issue(org):
        raise ApplicationError(_("只有正常状态的街道及以上工会可以设置责任部门。"),
                               code="org_not_issuer", extra={"field": "org"})
    name = clean_department_name(name)
    with transaction.atomic():
        try:
            with transaction.atomic():
                department = Department.objects.create(
                    org=org, name=name,
                    sort_order=(Department.objects.filter(org=org).count() + 1) * 10,
                )
        except IntegrityError as exc:
            raise Conflict(_("部门“{name}”已存在。").format(name=name), code="exists") from exc
        audit_record(actor=actor, action="workplan.department_create", obj=department,
                     org_path=org.path, after=snapshot(department))
    return department


def department_update(*, department: Department, actor: Actor, name: str | None = None,
                      sort_order: int | None = None, is_active: bool | None = None) -> Department:
    require_write(actor, department.org)
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        before = snapshot(locked)
        if name is not None:
            locked.name = clean_department_name(name)
        if sort_order is not None:
            locked.sort_order = sort_order
        if is_active is not None:
            locked.is_active = is_active
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise Conflict(_("部门“{name}”已存在。").format(name=locked.name), code="exists") from exc
        old, new = _diff(before, snapshot(locked))
        audit_record(actor=actor, action="workplan.department_update", obj=locked,
                     org_path=locked.org.path, before=old, after=new)
    return locked


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def membership_add(*, department: Department, user: Any, actor: Actor,
                   is_head: bool = False) -> DepartmentMembership:
    """Only people who hold a role in the federation (at its org or below) join its departments;
    the refusal reads like "no such user" so usernames elsewhere are not revealed."""
    require_write(actor, department.org)
    if not RoleAssignment.objects.filter(user=user,
                                         org__path__startswith=department.org.path).exists():
        raise ApplicationError(
            _("本单位及下级单位中没有用户名为“{u}”的用户。").format(u=user.get_username()),
            code="user_outside")
    with transaction.atomic():
        try:
            with transaction.atomic():
                membership = DepartmentMembership.objects.create(
                    department=department, user=user, is_head=is_head
                )
        except IntegrityError as exc:
            raise Conflict(_("{user} 已是“{dept}”的成员。").format(user=user, dept=department),
                           code="exists") from exc
        audit_record(actor=actor, action="workplan.membership_add", obj=membership,
                     org_path=department.org.path,
                     after={"department": department.name, "user": user.get_username(),
                            "is_head": is_head})
    return membership


def membership_remove(*, membership: DepartmentMembership, actor: Actor) -> None:
    require_write(actor, membership.department.org)
    with transaction.atomic():
        audit_record(actor=actor, action="workplan.membership_remove", obj=membership,
                     org_path=membership.department.org.path,
                     before={"department": membership.department.name,
                             "user": membership.user.get_username()})
        membership.delete()
