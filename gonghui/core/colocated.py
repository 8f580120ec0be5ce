"""Joins between two rows of one union, written so that Citus runs them on the union's shard
(docs/scale.md, "Running the application on the cluster").

Every member-scale table is distributed by its union and co-located (core/citus.py); funds
uses this module throughout, and any app whose joins follow a relation between two rows of one
union uses the same pieces. Citus pushes a
join between two of them down to the shards only when the join condition equates their union
columns; an *outer* join on an id alone it refuses ("complex joins are only supported when all
distributed tables are co-located and joined on their distribution columns"), an inner one it
runs as a repartition join (intermediate results shuffled between the workers). The two rows of
every such relation are in one union (the `(union, fk) -> (union, id)` foreign keys of
`gonghui citus distribute`), so adding the union to the join changes no result, on one node
or on the cluster; one code path serves both:

- an inner join (a non-null foreign key followed in a filter or `select_related`): add
  `same_union("relation")` to the filter — `relation.union = union`, which PostgreSQL and
  SQLite treat as one more condition of the same join;
- an outer join (`select_related` of a nullable foreign key or of a reverse one-to-one):
  `select_related_in_union(queryset, "relation", …)` joins through a `FilteredRelation` whose
  condition is the union, and the objects come back with the relation cached under its own
  name (`tx.reversal_of`, `tx.reversed_by`), as `select_related` would leave them;
- "has no related row" (`match__isnull=True`): `~Exists(...)` correlated on the union and the
  id (`no_related_in_union`), instead of the `LEFT OUTER JOIN … IS NULL` Django writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from django.db import models
from django.db.models import Exists, Expression, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.query import ModelIterable

M = TypeVar("M", bound=models.Model)

# the prefix of the FilteredRelation aliases made here (an alias may not be a field's name)
_ALIAS = "in_union_"


def same_union(relation: str, column: str = "union") -> Q:
    """`relation` (a path of foreign keys) is in the row's own union: add it to a filter that
    follows `relation`, so Citus joins the two co-located tables on their union."""
    return Q(**{f"{relation}__{column}": F(column)})


class _InUnionIterable(ModelIterable):
    """Model objects with each same-union filtered relation cached under the relation's name
    (`select_related` of a filtered relation leaves it under the alias)."""

    def __iter__(self) -> Iterator[Any]:
        selected = self.queryset.query.select_related
        # the relations joined (select_related of the filtered relation): a row without the
        # related row leaves no attribute behind
        names = [alias[len(_ALIAS):] for alias in (selected if isinstance(selected, dict) else {})
                 if alias.startswith(_ALIAS)]
        fields = None
        for obj in super().__iter__():
            if fields is None:
                fields = [(f"{_ALIAS}{name}", obj._meta.get_field(name)) for name in names]
            for alias, field in fields:
                related = obj.__dict__.pop(alias, None)
                if field.auto_created:  # a reverse one-to-one: None means "none" (DoesNotExist)
                    field.set_cached_value(obj, related)
                    if related is not None:
                        field.field.set_cached_value(related, obj)
                else:
                    field.set_cached_value(obj, related)
                    if related is not None and field.one_to_one:
                        field.remote_field.set_cached_value(related, obj)
            yield obj


def select_related_in_union(queryset: QuerySet[M], *relations: str,
                            column: str = "union") -> QuerySet[M]:
    """`queryset.select_related(*relations)` for relations of the model (forward foreign keys
    or reverse one-to-ones, one level) between rows of one union, each joined on the id *and*
    the union: a `LEFT OUTER JOIN … ON (t.id = r.fk AND r.union_id = t.union_id)`, which Citus
    runs on the shards. The objects carry the relations as `select_related` leaves them (a
    missing reverse one-to-one raises DoesNotExist; a null foreign key is None)."""
    filtered = {f"{_ALIAS}{name}": FilteredRelation(name, condition=same_union(name, column))
                for name in relations}
    queryset = queryset.annotate(**filtered).select_related(*filtered)  # type: ignore[arg-type]
    queryset._iterable_class = _InUnionIterable
    return queryset


def no_related_in_union(model: type[models.Model], field: str,
                        column: str = "union") -> Expression:
    """`~Exists`: no row of `model` points at this row through `field` (in this row's union) —
    the `LEFT OUTER JOIN … IS NULL` of `<reverse>__isnull=True`, correlated on the union."""
    return ~Exists(model._default_manager.filter(**{field: OuterRef("pk"),
                                                    column: OuterRef(column)}))
