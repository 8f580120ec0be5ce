"""Explicit extension points between apps that must not import each other downwards.

The org tree (orgs) is below every domain app, yet merging or dissolving a union concerns their
data (members follow a merge; a union with members cannot dissolve). Domain apps register here in
AppConfig.ready(); orgs calls the hooks inside its own transaction. Not a signal bus: only these
named points exist.
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
}


def register(name: str, fn: Callable[..., Any]) -> None:
    if fn not in _HOOKS[name]:
        _HOOKS[name].append(fn)


def call(name: str, **kwargs: Any) -> list[Any]:
    return [fn(**kwargs) for fn in _HOOKS[name]]
