"""The acting party of every service call: a signed-in user, or a named system actor.

Pages and the API pass `request.user`. The command line and background tasks pass a
`SystemActor` ("cli", "task:lapse-check" …): an operator at the server's shell, or the platform's
own scheduled work, acts for the whole federation (it can read the database anyway), so a system
actor passes capability checks — but never eligibility rules (a merged union stays merged).
Audit and history rows record `actor_user()` (a user or None) and `actor_name()`.

    def plan_create(*, org: Org, title: str, actor: Actor) -> Plan:
        require_capability(actor, Capability.WORKPLAN_WRITE, org)
        ...
        audit_record(actor=actor, action="workplan.plan.create", obj=plan)

    plan_create(org=org, title=t, actor=request.user)          # page / API
    plan_create(org=org, title=t, actor=system_actor("cli"))   # management command
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own or for an operator at the shell."""

    name: str

    # The attributes Django's user protocol is read through (scoping, templates, audit).
    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    is_anonymous = False

    def get_username(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | SystemActor"

SYSTEM = SystemActor("system")


def system_actor(name: str = "system") -> SystemActor:
    """A named system actor: "cli", "task:<name>", "import:<job>"."""
    return SystemActor(name or "system")


def actor_user(actor: Any) -> Any:
    """The user behind `actor` for a foreign key, or None for a system actor or anonymous."""
    if actor is None or isinstance(actor, SystemActor):
        return None
    return actor if getattr(actor, "pk", None) else None


def actor_name(actor: Any) -> str:
    """What audit and history rows show as "who": the username, or the system actor's name."""
    if actor is None:
        return "system"
    if isinstance(actor, SystemActor):
        return actor.name
    if getattr(actor, "pk", None):
        return str(actor.get_username())[:150]
    if isinstance(actor, str):
        # Legacy call sites passed a bare name ("cli", "system"): still a system actor.
        return actor[:150] or "system"
    return "anonymous"


def as_actor(value: Any) -> Any:
    """Normalise a legacy bare name ("cli", "system", None) to a SystemActor; users pass through."""
    if value is None:
        return SYSTEM
    if isinstance(value, str):
        return system_actor(value)
    return value
