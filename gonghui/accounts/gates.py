"""The capability gate: one status policy for every page, endpoint, CLI command and service.

- An object whose org lies outside every subtree where the user holds the *read* partner of the
  capability → `NotFound` (404): never a hint that it exists.
- A visible object the user may not act on → `Forbidden` (403).
- No object (a list page, a "new" form): the capability anywhere → allowed; otherwise 403 —
  a list answers a user who lacks the capability with a refusal, never with 200 and an empty
  list nor a 404 that hides the route (issue 13 item 14). An org named in a list's filter is
  an object: outside the viewer's subtrees it is 404 (`require_org_filter`).

Services call it first thing, so pages, API, CLI and tasks get the same answer:

    def plan_create(*, org: Org, year: int, title: str, actor: Actor) -> Plan:
        require_capability(actor, Capability.WORKPLAN_WRITE, org)
        ...

Views and endpoints call it only for pages that have no service behind them (lists, forms).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import RoleAssignment
from gonghui.accounts.scoping import can, capabilities_anywhere, grant_paths, is_global
from gonghui.core.errors import Forbidden, NotFound


def has_capability(user: Any, cap: Capability, org: Any = None) -> bool:
    """The question without the answer code: over `org`, or anywhere when `org` is None."""
    if is_global(user):
        return True
    if org is None:
        return cap in capabilities_anywhere(user)
    return can(user, org, cap)


def require_capability(user: Any, cap: Capability, org: Any = None, *,
                       read: Capability | None = None, message: str = "") -> None:
    """Raise NotFound / Forbidden per the policy above, or return when `user` holds `cap`.

    `read` overrides the capability that decides visibility (default `cap.read_of`); `message`
    replaces the default 403 sentence (say what the user cannot do and why).
    """
    if has_capability(user, cap, org):
        return
    if org is None:
        raise Forbidden(message)
    visible_cap = read or Capability(cap).read_of
    if visible_cap != cap and has_capability(user, visible_cap, org):
        raise Forbidden(message)
    raise NotFound()


def require_any_capability(user: Any, *caps: Capability) -> None:
    """A page reachable with any of `caps` held anywhere (e.g. the roster home: read or write)."""
    if is_global(user) or set(caps) & capabilities_anywhere(user):
        return
    raise Forbidden()


def require_org_filter(user: Any, code: str) -> None:
    """An org named in a list's `?org=` filter: NotFound (404) when it lies outside every
    subtree where the user holds a role — neither inside one nor above one (an org above is
    the user's own chain: plans issued from there reach them). A user with no role anywhere
    gets the list's own answer (403), an unknown code the list's own (its picker's) answer."""
    if not getattr(user, "is_authenticated", False) or is_global(user):
        return
    roots = grant_paths(user)
    if not roots or not code.strip():
        return
    org_model = RoleAssignment._meta.get_field("org").related_model
    path = (org_model._default_manager.filter(code=code.strip().upper())  # type: ignore[union-attr]
            .values_list("path", flat=True).first())
    if path is None or any(path.startswith(r) or r.startswith(path) for r in roots):
        return
    raise NotFound()


class OrgFilterGate:
    """Every list, page or API, answers an org filter outside the viewer's subtrees with 404
    (issue 13 item 14), before the view runs — the same for every app, not one view at a time."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            for code in request.GET.getlist("org"):
                try:
                    require_org_filter(request.user, code)
                except NotFound as exc:
                    if request.path.startswith("/api/"):
                        return JsonResponse({"detail": exc.message, "code": exc.code},
                                            status=404)
                    return render(request, "error.html", {"error": exc}, status=404)
        return self.get_response(request)
