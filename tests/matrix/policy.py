"""The one status policy of issue 11, applied to a route-table entry and a persona.

- Anonymous: pages → 302 to the login page; API → 401 (public routes answer as for anyone).
- An object outside every subtree where the persona holds the read capability → 404; visible
  but the persona lacks the route's capability → 403.
- No object: the capability anywhere → allowed; otherwise 403 (issue 13 item 14: a list never
  answers 200 and an empty list, nor hides itself behind a 404).
- Allowed: the entry's `ok` (GET 200; an empty POST 400 unless the entry says otherwise).

The grants come from the persona and `accounts.roles.CAPABILITIES` only — never from the code
under test.
"""

from __future__ import annotations

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.roles import CAPABILITIES
from tests.matrix.personas import Persona
from tests.matrix.routes import R
from tests.matrix.world import Obj, World

DENIALS = {302, 401, 403, 404}  # 302 only for an anonymous visitor sent to the login page


def _caps(role: str) -> frozenset[Capability]:
    return CAPABILITIES[role]


def holds_anywhere(persona: Persona, cap: Capability) -> bool:
    return any(cap in _caps(role) for _, role in persona.grants)


def holds_at(persona: Persona, cap: Capability, org_code: str, world: World, *,
             reach_up: bool = False) -> bool:
    """The persona holds `cap` over the org (at it or an ancestor); with `reach_up`, also at a
    descendant (objects offered to a whole subtree are visible from inside it)."""
    if not org_code:
        return False
    path = world.path(org_code)
    for code, role in persona.grants:
        if cap not in _caps(role):
            continue
        grant = world.path(code)
        if path.startswith(grant) or (reach_up and grant.startswith(path)):
            return True
    return False


def expected(route: R, persona: Persona, world: World, obj: Obj | None, *, api: bool) -> int:
    ok = route.allowed(api)
    special = dict(route.by_persona)
    if persona.name in special:
        return special[persona.name]
    if route.access == "public":
        return route.anon_ok if persona.anonymous and route.anon_ok is not None else ok
    if persona.anonymous:
        return 401 if api else 302
    if route.access == "login":
        return ok
    if route.access == "own":
        owner = obj.owner if obj is not None else ""
        mine = owner == persona.username or (obj is None and persona.username in route.owners)
        return ok if mine else 404
    assert route.cap is not None, "a capability route needs its capability"
    cap = route.cap
    read = route.read or cap.read_of
    if obj is None or not obj.org:   # no object, or one of the whole federation
        if route.at_root and holds_anywhere(persona, cap):
            return ok if holds_at(persona, cap, world.root, world) else 403
        if holds_anywhere(persona, cap):
            return ok
        return 403
    visible = any(holds_at(persona, read, code, world, reach_up=route.reach_up)
                  for code in (obj.org, *obj.seen))
    if cap == read:
        return ok if visible else 404
    if holds_at(persona, cap, obj.org, world):
        return ok
    return 403 if visible else 404
