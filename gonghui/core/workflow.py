"""Workflows are data: a Status enum, a transition table, one service per transition.

`transition()` is the shared mechanics: lock the row, check the table, set the status, save with
update_fields, write the history row. The calling service adds its own rules before calling it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from gonghui.core.errors import InvalidTransition

M = TypeVar("M", bound=models.Model)


def can_transition(transitions: Mapping[Any, set[Any]], current: Any, target: Any) -> bool:
    return target in transitions.get(current, set())


def transition(
    obj: M,
    target: Any,
    *,
    transitions: Mapping[Any, set[Any]],
    write_history: Callable[[M, Any, Any], Any],
    status_field: str = "status",
    extra_fields: Mapping[str, Any] | None = None,
) -> M:
    """Move `obj` to `target` under a row lock. Must run inside transaction.atomic.

    `write_history(locked_obj, old, new)` creates the history row (who, when, from, to, reason).
    Returns the locked, updated instance.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    current = getattr(locked, status_field)
    if not can_transition(transitions, current, target):
        field = type(locked)._meta.get_field(status_field)
        labels = dict(getattr(field, "choices", None) or [])
        raise InvalidTransition(
            _("当前状态“{current}”不能变为“{target}”。").format(
                current=labels.get(current, current), target=labels.get(target, target)
            )
        )
    setattr(locked, status_field, target)
    fields = [status_field]
    for name, value in (extra_fields or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    if hasattr(locked, "updated_at"):
        fields.append("updated_at")
    locked.save(update_fields=fields)
    write_history(locked, current, target)
    return locked
