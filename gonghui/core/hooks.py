"""Explicit extension points between apps that must not import each other downwards.

The org tree (orgs) is below every domain app, yet merging or dissolving a union concerns their
data (members follow a merge; a union with members cannot dissolve). Domain apps register here in
AppConfig.ready(); orgs calls the hooks inside its own transaction. Likewise accounts sits below
audit, yet a role grant must leave an audit row in its own transaction: audit registers
"audit.record" and accounts calls it. Not a signal bus: only these named points exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# name -> list of callables
_HOOKS: dict[str, list[Callable[..., Any]]] = {
    # fn(org) -> list[str]: human reasons the org is not empty (e.g. "32 名在册会员")
    "org.occupancy": [],
    # fn(*, source, target, actor) -> None: move the app's rows from source union to target
    "org.merge": [],
    # fn(*, old_prefix, new_prefix) -> None: a subtree's materialised path changed (move/merge);
    # apps that denormalise org paths onto their rows rewrite them here
    "org.path_changed": [],
    # fn(*, orgs: dict[str, Org], users: dict[str, User], stdout) -> None: add an app's demo data
    # to the demo federation (called by `gonghui seed-demo` after orgs and users exist)
    "demo.seed": [],
    # fn(*, actor, action, obj=None, org_path="", before=None, after=None, note="") -> AuditEvent:
    # the audit row for apps below audit (accounts); registered by the audit app, called inside
    # the caller's transaction
    "audit.record": [],
    # fn(*, membership, status, on, actor, reason) -> None: a membership ended (deceased,
    # withdrawn, lapsed, transferred_out); called by members inside the ending transaction so
    # other modules react atomically (aid flags the household's file, mutual aid ends cover)
    "member.ended": [],
    # fn(*, transfer, old, new, actor) -> None: a transfer was accepted (old membership closed,
    # new one opened in transfer.to_union), same transaction
    "member.transferred": [],
}


def register(name: str, fn: Callable[..., Any]) -> None:
    if fn not in _HOOKS[name]:
        _HOOKS[name].append(fn)


def call(name: str, **kwargs: Any) -> list[Any]:
    return [fn(**kwargs) for fn in _HOOKS[name]]
