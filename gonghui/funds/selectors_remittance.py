"""Reads of the employer remittance register (拨缴经费台账) and the dunning list (催缴名单), scoped
through `scope()` like every funds read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.funds.models import PayrollDeclaration
from gonghui.funds.sums import fen
from gonghui.orgs.models import Employer, Org

ZERO = Decimal("0.00")


def register(*, viewer: Any, union: Org, q: str = "", start: int | None = None,
             end: int | None = None, arrears_only: bool = False
             ) -> QuerySet[PayrollDeclaration]:
    """Declarations collected in `union`'s subtree that `viewer` may read, newest month first:
    `q` searches the employer's name or 统一社会信用代码; `start`/`end` are months (202603);
    `arrears_only` keeps the months not paid in full."""
    rows = scope(PayrollDeclaration.objects.all(), viewer, Capability.FUNDS_READ,
                 path_field="union__path").filter(union__path__startswith=union.path)
    if q:
        rows = rows.filter(Q(employer__name__icontains=q) | Q(employer__uscc__icontains=q))
    if start:
        rows = rows.filter(period__gte=start)
    if end:
        rows = rows.filter(period__lte=end)
    if arrears_only:
        rows = rows.filter(due__gt=F("paid"))
    return rows.select_related("employer", "union").order_by("-period", "employer__name", "pk")


@dataclass
class Totals:
    payroll: Decimal = ZERO
    due: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def arrears(self) -> Decimal:
        return self.due - self.paid


def totals(rows: QuerySet[PayrollDeclaration]) -> Totals:
    """Sums of a register selection, in the database."""
    agg = rows.order_by().aggregate(p=Sum("payroll"), d=Sum("due"), c=Sum("paid"))
    return Totals(fen(agg["p"]), fen(agg["d"]), fen(agg["c"]))


@dataclass
class Dunning:
    """An employer in arrears: its unpaid months (oldest first) and the total owed."""

    employer: Employer
    union: Org
    months: list[PayrollDeclaration] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((m.arrears for m in self.months), ZERO)

    @property
    def oldest(self) -> int:
        return self.months[0].period


def dunning_list(*, viewer: Any, union: Org, q: str = "", end: int | None = None,
                 employer_id: int | None = None) -> list[Dunning]:
    """Employers with unpaid months in `union`'s subtree, the longest overdue first (then the
    largest total). `end` leaves out months after it (e.g. the current month, not yet due)."""
    rows = register(viewer=viewer, union=union, q=q, end=end, arrears_only=True)
    if employer_id is not None:
        rows = rows.filter(employer_id=employer_id)
    out: dict[int, Dunning] = {}
    for row in rows.order_by("employer_id", "period"):
        item = out.setdefault(row.employer_id, Dunning(row.employer, row.union))
        item.months.append(row)
    return sorted(out.values(), key=lambda d: (d.oldest, -d.total, d.employer.name))
