from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import APIToken, RoleAssignment, User
from gonghui.accounts.roles import Role
from gonghui.accounts.scoping import can, forget
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden

TOKEN_LIFETIME = dt.timedelta(days=30)


def password_check(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from exc


def user_create(
    *, username: str, password: str, actor: Any, display_name: str = "", phone: str = "",
    is_superuser: bool = False,
) -> User:
    if is_superuser and not getattr(actor, "is_superuser", False) and actor != "system":
        raise Forbidden()
    username = username.strip()
    if not username:
        raise ApplicationError(_("用户名不能为空。"), code="username_empty")
    candidate = User(username=username, display_name=display_name, phone=phone)
    password_check(password, candidate)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.is_superuser = is_superuser
        candidate.is_staff = is_superuser
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError as exc:
            raise Conflict(_("用户名“{name}”已存在。").format(name=username), code="exists") from exc
        audit_record(actor=actor, action="user.create", obj=candidate,
                     after={"username": username, "display_name": display_name,
                            "is_superuser": is_superuser})
    return candidate


def role_assign(*, user: User, org: Any, role: str, actor: Any) -> RoleAssignment:
    """Grant `role` at `org`. The granter must hold role.assign over `org`."""
    if actor != "system" and not can(actor, org, "role.assign"):
        raise Forbidden()
    if role not in Role.values:
        raise ApplicationError(_("未知角色：{role}").format(role=role), code="role_unknown")
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = RoleAssignment.objects.create(
                    user=user, org=org, role=role,
                    granted_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError as exc:
            raise Conflict(_("该用户已在此组织拥有该角色。"), code="exists") from exc
        audit_record(actor=actor, action="role.assign", obj=assignment, org_path=org.path,
                     after={"user": user.username, "org": org.code, "role": role})
    forget(user)
    return assignment


def role_revoke(*, assignment: RoleAssignment, actor: Any) -> None:
    if not can(actor, assignment.org, "role.assign"):
        raise Forbidden()
    with transaction.atomic():
        audit_record(actor=actor, action="role.revoke", obj=assignment,
                     org_path=assignment.org.path,
                     before={"user": assignment.user.username, "org": assignment.org.code,
                             "role": assignment.role})
        assignment.delete()
    forget(assignment.user)


def token_issue(*, user: User) -> tuple[str, APIToken]:
    """A new API token; the plain key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = APIToken.objects.create(
            user=user, key_hash=APIToken.hash_key(key), prefix=key[:8],
            expires_at=clock.now() + TOKEN_LIFETIME,
        )
        audit_record(actor=user, action="token.issue", obj=token)
    return key, token


def token_user(key: str) -> User | None:
    token = (
        APIToken.objects.select_related("user")
        .filter(key_hash=APIToken.hash_key(key), expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    APIToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user
