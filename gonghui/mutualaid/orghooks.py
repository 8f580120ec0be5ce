"""What mutual aid does when the org tree changes (called by orgs inside its transaction)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.rowmove import move_rows
from gonghui.mutualaid.models import (
    BatchItem,
    Enrolment,
    EnrolmentRun,
    EnrolmentStatus,
    PayeeAccount,
    Payout,
    PayoutBatch,
    PayoutEvent,
    Plan,
    SettlementImport,
)

# (model, denormalised path column)
PATH_COLUMNS: list[tuple[Any, str]] = [
    (Plan, "org_path"), (EnrolmentRun, "union_path"), (Enrolment, "union_path"),
    (Payout, "union_path"), (PayoutBatch, "org_path"), (SettlementImport, "org_path"),
]


def path_changed(*, old_prefix: str, new_prefix: str) -> None:
    """Rewrite the copied org paths of a moved subtree (one UPDATE per table)."""
    for model, column in PATH_COLUMNS:
        model.objects.filter(**{f"{column}__startswith": old_prefix}).update(**{
            column: Concat(Value(new_prefix), Substr(F(column), len(old_prefix) + 1))
        })


def merge(*, source: Any, target: Any, actor: Actor) -> None:
    """The merged union's enrolments and payouts follow its members into the target union,
    with their history, bank items and payee accounts: delete + insert, as the union is the
    distribution column (core/rowmove.py)."""
    for model in (EnrolmentRun, Enrolment, Payout):
        # union_path first: it is indexed, the union column of payouts is not
        ids = model.objects.filter(union_path__startswith=source.path, union=source)
        move_rows(model, ids.values_list("pk", flat=True), column="union", to=target.pk,
                  union_path=target.path)
    for part in (PayoutEvent, BatchItem, PayeeAccount):
        rows = part.objects.filter(union=source)
        move_rows(part, rows.values_list("pk", flat=True), column="union", to=target.pk)


def occupancy(org: Any) -> list[str]:
    """Members in a running plan year keep the union from being dissolved (merge instead).
    Counts people, not enrolments: one member in four plans is one member (issue 12 item 7)."""
    running = Enrolment.objects.filter(union=org, status=EnrolmentStatus.ACTIVE,
                                       ends_on__gte=clock.today())
    people = running.values("person").distinct().count()
    if not people:
        return []
    enrolments = running.count()
    if enrolments == people:
        return [_("{n} 名会员参加互助保障").format(n=people)]
    return [_("{n} 名会员参加互助保障（共 {k} 份保障）").format(n=people, k=enrolments)]
