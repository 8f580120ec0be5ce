"""The monthly snapshot: each union's own counters, joins/exits of the month and the employers
of its area, stored under the union's path of that month (see models.MonthlySnapshot)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError
from gonghui.members import stats_selectors as members
from gonghui.orgs import stats_selectors as orgs
from gonghui.orgs.models import Org
from gonghui.stats.models import MonthlySnapshot

BATCH = 5000


@transaction.atomic
def snapshot_month(*, month: dt.date, actor: Actor, root: Org | None = None) -> int:
    """Store (or replace) the snapshot of `month` for every union under `root` (default: the
    whole tree). Only the current or the previous month may be taken: an older month's live
    counters no longer describe it. Returns the number of rows stored."""
    month = month.replace(day=1)
    current = clock.today().replace(day=1)
    previous = (current - dt.timedelta(days=1)).replace(day=1)
    if month not in (current, previous):
        raise ApplicationError(_("只能生成本月或上月的快照（{m} 的实时数据已不代表当月）。").format(
            m=month.strftime("%Y-%m")))
    path = root.path if root is not None else ""
    # one snapshot of a subtree at a time: a second run waits, then replaces the first's rows
    list(Org.objects.select_for_update().filter(pk=root.pk) if root is not None
         else Org.objects.select_for_update().filter(depth=1))
    rows: dict[int, dict[str, Any]] = {
        r["org_id"]: r for r in members.per_org_counters(org_path=path, month=month)}
    paths = dict(Org.objects.filter(path__startswith=path).values_list("id", "path"))
    for area_id, e in orgs.employers_per_area(org_path=path).items():
        row = rows.setdefault(area_id, {"org_id": area_id, "org_path": paths[area_id]})
        row.update(employers=e["employers"], covered=e["covered"], employees=e["employees"])
    now = clock.now()
    MonthlySnapshot.objects.filter(month=month, org_path__startswith=path).delete()
    objects = [MonthlySnapshot(
        org_id=r["org_id"], org_path=paths.get(r["org_id"], r["org_path"]), month=month,
        active=r.get("active", 0), retired=r.get("retired", 0),
        new_employment=r.get("new_employment", 0), joins=r.get("joins", 0),
        exits=r.get("exits", 0), employers=r.get("employers", 0),
        covered_employers=r.get("covered", 0), employees=r.get("employees", 0), taken_at=now)
        for r in rows.values()]
    MonthlySnapshot.objects.bulk_create(objects, batch_size=BATCH)
    audit_record(actor=actor, action="stats.snapshot", object_type="stats.monthlysnapshot",
                 object_id=month.strftime("%Y-%m"), org_path=path,
                 note=_("月度快照 {m}：{n} 个组织").format(m=month.strftime("%Y-%m"), n=len(objects)))
    return len(objects)
