"""Workflows are data: a Status enum, a transition table, one service per transition.

`transition()` is the shared mechanics: lock the row, check the table, set the status, save with
update_fields, write the history row (who, when, from, to, reason). The calling service checks
its permission and adds its own rules before calling it. A status field changes nowhere else
(`core/tests/test_status_assignments.py` fails on a plain assignment).

    class File(models.Model):
        status = models.CharField(max_length=16, choices=Status.choices)
        history_model = "aid.FileHistory"            # optional: one row per transition

    class FileHistory(HistoryBase):
        file = models.ForeignKey(File, on_delete=models.PROTECT, related_name="history")
        history_subject_field = "file"

    file = transition(file, Status.ACTIVE, transitions=TRANSITIONS, actor=actor, reason=note)

Rows without a history of their own (import jobs, export jobs, bank batches) pass
`history=False`; bulk moves of many rows go through `transition_many()`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.citus import shard_key
from gonghui.core.errors import InvalidTransition

M = TypeVar("M", bound=models.Model)
Transitions = Mapping[Any, Iterable[Any]]


class HistoryBase(models.Model):
    """One workflow transition of a case: who, when, from, to, why. Insert-only.

    Subclasses add the foreign key to their case and name it in `history_subject_field`.
    """

    from_status = models.CharField(gettext_lazy("原状态"), max_length=32, blank=True)
    to_status = models.CharField(gettext_lazy("新状态"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(gettext_lazy("操作人"), max_length=150)
    at = models.DateTimeField(gettext_lazy("时间"))
    reason = models.CharField(gettext_lazy("原因/说明"), max_length=500, blank=True)

    history_subject_field = ""

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status}→{self.to_status}"

    def _status_word(self, value: str) -> str:
        """A stored status in words: the label of the case's own status field."""
        if not value or not self.history_subject_field:
            return value
        subject = self._meta.get_field(self.history_subject_field).related_model
        try:
            labels = _labels(subject, "status")  # type: ignore[arg-type]
        except FieldDoesNotExist:
            return value
        return str(labels.get(value, value))

    @property
    def from_label(self) -> str:
        return self._status_word(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_word(self.to_status)


def can_transition(transitions: Transitions, current: Any, target: Any) -> bool:
    return target in set(transitions.get(current, ()))


def _labels(model: type[models.Model], status_field: str) -> dict[Any, Any]:
    field = model._meta.get_field(status_field)
    return dict(getattr(field, "choices", None) or [])


def refuse(model: type[models.Model], current: Any, target: Any,
           status_field: str = "status") -> InvalidTransition:
    labels = _labels(model, status_field)
    return InvalidTransition(
        _("当前状态“{current}”不能变为“{target}”。").format(
            current=labels.get(current, current), target=labels.get(target, target)
        )
    )


def _history_model(model: type[models.Model]) -> type[HistoryBase] | None:
    label = getattr(model, "history_model", None)
    if not label:
        return None
    return apps.get_model(label) if isinstance(label, str) else label


def append_history(obj: models.Model, old: Any, new: Any, *, actor: Actor | None, reason: str = "",
                  **extra: Any) -> HistoryBase | None:
    """Append the case's history row (the model's `history_model`), if it keeps one."""
    history = _history_model(type(obj))
    if history is None:
        return None
    return history._default_manager.create(
        **{history.history_subject_field: obj},
        from_status=old or "", to_status=new, actor=actor_user(actor),
        actor_name=actor_name(actor), at=clock.now(), reason=(reason or "")[:500], **extra,
    )


def transition(
    obj: M,
    target: Any,
    *,
    transitions: Transitions,
    actor: Actor | None = None,
    reason: str = "",
    write_history: Callable[[M, Any, Any], Any] | None = None,
    history: bool = True,
    history_extra: Mapping[str, Any] | None = None,
    status_field: str = "status",
    extra_fields: Mapping[str, Any] | None = None,
    compare_and_set: bool = False,
) -> M:
    """Move `obj` to `target` under a row lock. Must run inside transaction.atomic.

    The history row is written by `write_history(locked, old, new)` when given, else into the
    model's `history_model` (with `actor`, `reason` and `history_extra`), unless
    `history=False`. Returns the locked, updated instance; `obj` gets the new values too.

    `compare_and_set=True` (callers that just read `obj`, e.g. a bulk job's slice): when its
    status in hand may go to `target`, one `UPDATE … WHERE status = <in hand> RETURNING` locks,
    checks and moves the row and reads it back; when the row has moved on meanwhile, it falls
    back to the lock-and-read below (same outcome, one statement more).
    """
    locked: M | None = None
    current = getattr(obj, status_field)
    if compare_and_set and obj.pk is not None and can_transition(transitions, current, target):
        locked = _move_if_current(obj, target, status_field=status_field,
                                  extra_fields=extra_fields or {})
    fields = [status_field, *(extra_fields or {})]
    if locked is None:
        # with the union of a distributed table: a row lock on Citus must name the shard
        locked = (type(obj)._default_manager.select_for_update().filter(**shard_key(obj))
                  .get(pk=obj.pk))
        current = getattr(locked, status_field)
        if not can_transition(transitions, current, target):
            raise refuse(type(locked), current, target, status_field)
        setattr(locked, status_field, target)
        for name, value in (extra_fields or {}).items():
            setattr(locked, name, value)
        if hasattr(locked, "updated_at"):
            fields.append("updated_at")
        locked.save(update_fields=fields)
    elif hasattr(locked, "updated_at"):
        fields.append("updated_at")
    for name in fields:
        setattr(obj, name, getattr(locked, name))
    if write_history is not None:
        write_history(locked, current, target)
    elif history:
        append_history(locked, current, target, actor=actor, reason=reason,
                       **dict(history_extra or {}))
    return locked


def _column_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model._meta.label}.{name} is not a column")
    return field


def _move_if_current(obj: M, target: Any, *, status_field: str,
                     extra_fields: Mapping[str, Any]) -> M | None:
    """`UPDATE … SET <status> = target, <extra fields>, updated_at WHERE pk AND <status> = <obj's
    status> [AND the shard's union] RETURNING <every column>`: the updated row (locked until the
    transaction ends), or None when the row is not in that status any more."""
    model = type(obj)
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    moved = copy.copy(obj)  # the new values, for the fields' own conversions (auto_now, FKs)
    setattr(moved, status_field, target)
    for name, value in extra_fields.items():
        setattr(moved, name, value)
    names = [status_field, *extra_fields]
    if hasattr(obj, "updated_at"):
        names.append("updated_at")
    fields = [_column_field(model, name) for name in names]
    where: dict[str, Any] = {}
    for name, value in [(meta.pk.name, obj.pk), (status_field, getattr(obj, status_field)),
                        *shard_key(obj).items()]:
        field = _column_field(model, name)
        where[field.column] = field.get_db_prep_value(value, connection)
    # only the model's own quoted table and column names go into the text; values are params
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    conditions = " AND ".join(f"{quote(column)} = %s" for column in where)
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {conditions} RETURNING {columns}"  # noqa: S608
    params = [f.get_db_prep_save(f.pre_save(moved, False), connection) for f in fields]
    rows = list(model._default_manager.raw(sql, [*params, *where.values()],
                                           using=connection.alias))
    if not rows:
        return None
    locked = rows[0]
    # the values as given (related objects stay cached: no query to read them back)
    setattr(locked, status_field, target)
    for name, value in extra_fields.items():
        setattr(locked, name, value)
    return locked


def transition_many(
    queryset: QuerySet[Any],
    target: Any,
    *,
    transitions: Transitions,
    status_field: str = "status",
    extra_fields: Mapping[str, Any] | None = None,
) -> int:
    """Bulk variant for job and queue rows: one UPDATE moving every row of `queryset` whose
    current status may go to `target`; rows in other states are left alone. Returns the count."""
    sources = [state for state, targets in transitions.items() if target in set(targets)]
    return queryset.filter(**{f"{status_field}__in": sources}).update(
        **{status_field: target}, **dict(extra_fields or {})
    )


def initial_status(model: type[models.Model], status: Any, *, initial: Iterable[Any],
                   status_field: str = "status") -> Any:
    """Check that a new row starts in one of the table's initial states (for create services)."""
    if status not in set(initial):
        raise refuse(model, "", status, status_field)
    return status
