"""Dues collection rate (会费收缴率) for one union or rolled up over a subtree, aggregated in the
database and grouped by the org's direct children."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.scoping import scope
from gonghui.core.actor import Actor
from gonghui.core.colocated import same_union
from gonghui.funds.models import DuesEntry
from gonghui.funds.reports import Report, Row
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org

ZERO = Decimal("0.00")


def _rate(paid: Decimal, due: Decimal) -> str:
    return f"{paid / due * 100:.1f}%" if due else "—"


def dues_collection(*, viewer: Actor, org: Org, year: int, month: int = 0,
                    rollup: bool = False) -> Report:
    queryset = DuesEntry.objects.all()
    queryset = (queryset.filter(union__path__startswith=org.path) if rollup
                else queryset.filter(union=org))
    queryset = scope(queryset, viewer, Capability.FUNDS_READ, path_field="union__path")
    if month:
        queryset = queryset.filter(same_union("dues_list"), dues_list__period=year * 100 + month)
    else:
        queryset = queryset.filter(same_union("dues_list"), dues_list__period__gte=year * 100 + 1,
                                   dues_list__period__lte=year * 100 + 12)
    sums = {
        "n": Count("id"), "n_paid": Count("id", filter=Q(paid_on__isnull=False)),
        "due": Sum("amount"), "paid": Sum("amount", filter=Q(paid_on__isnull=False)),
    }
    report = Report(
        kind="dues", title=_("会费收缴情况表"), org=org, rollup=rollup,
        period_label=(_("{y} 年 {m} 月").format(y=year, m=month) if month
                      else _("{y} 年度").format(y=year)),
        columns=[_("单位"), _("应缴人次"), _("已缴人次"), _("应缴金额"), _("已缴金额"),
                 _("收缴率（金额）")],
        money_columns={3, 4},
    )
    if rollup:
        width = len(org.path) + Org.steplen
        rows = (queryset.annotate(branch=Substr("union__path", 1, width)).values("branch")
                .annotate(**sums).order_by("branch"))
        names = dict(Org.objects.filter(path__in=[r["branch"] for r in rows])
                     .values_list("path", "name"))
        for r in rows:
            r["due"], r["paid"] = fen(r["due"]), fen(r["paid"])
            name = org.name + _("（本级）") if r["branch"] == org.path else names.get(
                r["branch"], r["branch"])
            report.rows.append(Row([name, r["n"], r["n_paid"], r["due"] or ZERO,
                                    r["paid"] or ZERO, _rate(r["paid"] or ZERO, r["due"] or ZERO)],
                                   level=1))
    total = queryset.aggregate(**sums)
    total["due"], total["paid"] = fen(total["due"]), fen(total["paid"])
    report.rows.append(Row([_("合计"), total["n"], total["n_paid"], total["due"] or ZERO,
                            total["paid"] or ZERO,
                            _rate(total["paid"] or ZERO, total["due"] or ZERO)], strong=True))
    return report
