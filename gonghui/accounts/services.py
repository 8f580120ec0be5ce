"""Every write to accounts: users, role grants, API tokens, two-factor devices.

accounts sits below audit in the layer order, so the audit row of each write goes through the
"audit.record" hook (registered by the audit app), still inside the write's transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.models import APIToken, RoleAssignment, User
from gonghui.accounts.roles import Role
from gonghui.accounts.scoping import forget, is_global
from gonghui.accounts.selectors import grant_org
from gonghui.core import clock, hooks
from gonghui.core.actor import Actor, actor_user, as_actor
from gonghui.core.errors import ApplicationError, Conflict, Forbidden

TOKEN_LIFETIME = dt.timedelta(days=30)


def _audit(**fields: Any) -> None:
    """The audit row of an accounts write, in the caller's transaction (see module docstring)."""
    hooks.call("audit.record", **fields)


def password_check(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from exc


def user_create(
    *, username: str, password: str, actor: Actor, display_name: str = "", phone: str = "",
    is_superuser: bool = False,
) -> User:
    """A new account without roles. Created by someone who grants roles somewhere, or by the
    platform itself (CLI, the member portal's self-registration); superusers only by a
    superuser or the platform."""
    actor = as_actor(actor)
    require_capability(actor, Capability.ROLE_ASSIGN)
    if is_superuser and not is_global(actor):
        raise Forbidden()
    username = username.strip()
    if not username:
        raise ApplicationError(_("用户名不能为空。"), code="username_empty",
                               extra={"field": "username"})
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
            raise Conflict(_("用户名“{name}”已存在。").format(name=username), code="exists",
                           extra={"field": "username"}) from exc
        _audit(actor=actor, action="user.create", obj=candidate,
               after={"username": username, "display_name": display_name,
                      "is_superuser": is_superuser})
    return candidate


def role_assign(*, user: User, org: Any, role: str, actor: Actor) -> RoleAssignment:
    """Grant `role` at `org`. The granter must hold role.assign over `org` (404 outside their
    subtrees, 403 where they only read); a merged or dissolved org takes no new grants (a grant
    there would reach nothing: scoping ignores closed orgs)."""
    actor = as_actor(actor)
    require_capability(actor, Capability.ROLE_ASSIGN, org)
    if role not in Role.values:
        raise ApplicationError(_("未知角色：{role}").format(role=role), code="role_unknown",
                               extra={"field": "role"})
    if not org.is_active:
        raise ApplicationError(_("已合并或撤销的组织不能授权。"), code="org_closed",
                               extra={"field": "org_code"})
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = RoleAssignment.objects.create(
                    user=user, org=org, role=role, granted_by=actor_user(actor),
                )
        except IntegrityError as exc:
            raise Conflict(_("该用户已在此组织拥有该角色。"), code="exists") from exc
        _audit(actor=actor, action="role.assign", obj=assignment, org_path=org.path,
               after={"user": user.username, "org": org.code, "role": role})
    forget(user)
    return assignment


def role_grant(*, username: str, org_code: str, role: str, actor: Actor) -> RoleAssignment:
    """`role_assign` by names, as the role page and API give them."""
    org = grant_org(org_code)
    require_capability(as_actor(actor), Capability.ROLE_ASSIGN, org)
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ApplicationError(_("用户不存在。"), code="user_unknown", extra={"field": "username"})
    return role_assign(user=user, org=org, role=role, actor=actor)


def user_create_with_role(
    *, username: str, password: str, org_code: str, role: str, actor: Actor,
    display_name: str = "", phone: str = "",
) -> tuple[User, RoleAssignment]:
    """A new account with its first role, in one transaction: the creator must hold
    role.assign at that org (checked before anything is written)."""
    actor = as_actor(actor)
    org = grant_org(org_code)
    require_capability(actor, Capability.ROLE_ASSIGN, org)
    with transaction.atomic():
        user = user_create(username=username, password=password, actor=actor,
                           display_name=display_name, phone=phone)
        assignment = role_assign(user=user, org=org, role=role, actor=actor)
    return user, assignment


def role_revoke(*, assignment: RoleAssignment, actor: Actor) -> None:
    actor = as_actor(actor)
    require_capability(actor, Capability.ROLE_ASSIGN, assignment.org)
    with transaction.atomic():
        _audit(actor=actor, action="role.revoke", obj=assignment, org_path=assignment.org.path,
               before={"user": assignment.user.username, "org": assignment.org.code,
                       "role": assignment.role})
        assignment.delete()
    forget(assignment.user)


def token_issue(*, user: User, otp_verified: bool = False) -> tuple[str, APIToken]:
    """A new API token; the plain key is returned once and never stored. `otp_verified`: the
    caller checked a TOTP code of the user (the token may then reveal personal data)."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = APIToken.objects.create(
            user=user, key_hash=APIToken.hash_key(key), prefix=key[:8],
            expires_at=clock.now() + TOKEN_LIFETIME, auth_hash=user.get_session_auth_hash(),
            otp_verified=otp_verified,
        )
        _audit(actor=user, action="token.issue", obj=token,
               after={"otp_verified": otp_verified} if otp_verified else None)
    return key, token


def token_user(key: str) -> User | None:
    token = (
        APIToken.objects.select_related("user")
        .filter(key_hash=APIToken.hash_key(key), expires_at__gt=clock.now())
        .first()
    )
    if token is None:
        return None
    user = token.user
    if not user.is_active or token.auth_hash != user.get_session_auth_hash():
        tokens_revoke(user=user, reason="disabled" if not user.is_active else "password")
        return None
    APIToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    # the request's second-factor state, as django-otp gives a session's user
    verified = token.otp_verified
    user.is_verified = lambda: verified  # type: ignore[attr-defined]
    return user


def tokens_revoke(*, user: User, reason: str) -> int:
    """Delete every API token of `user` (a password change, a disabled account); returns how
    many there were."""
    with transaction.atomic():
        count, _deleted = APIToken.objects.filter(user=user).delete()
        if count:
            _audit(actor=user, action="token.revoke", obj=user,
                   after={"count": count, "reason": reason})
    return count


def totp_device(user: User) -> tuple[TOTPDevice, bool]:
    """The user's confirmed authenticator (True), or the pending one to scan (False)."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return confirmed, True
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device, False


def totp_confirm(*, user: User, device: TOTPDevice, token: str) -> None:
    """Turn two-factor sign-in on with one code from the authenticator (the user's own device)."""
    if device.user_id != user.pk or device.confirmed:
        raise Forbidden()
    if not device.verify_token(token.strip()):
        raise ApplicationError(_("动态口令不正确，请重试。"), code="otp_invalid",
                               extra={"field": "token"})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _audit(actor=user, action="totp.enable", obj=user)
