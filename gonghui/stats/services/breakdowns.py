"""The stored member breakdowns of the big subtrees (models.SubtreeBreakdown): one grouped scan
of the held memberships by path prefix (members.stats_selectors.held_breakdown_by_prefix), summed
up to every org of depth <= STORED_DEPTH. Deeper subtrees are small and are counted live."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.members import stats_selectors as members
from gonghui.orgs.models import Org
from gonghui.stats.models import SubtreeBreakdown

# city, districts, streets: at 10 M members a street holds ~30 000 members; a grassroots
# subtree a few thousand, which a live breakdown counts in well under the dashboard's budget
STORED_DEPTH = 3


def _add(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, counts in part.items():
        target = into.setdefault(key, {})
        for value, n in counts.items():
            target[value] = target.get(value, 0) + n


@transaction.atomic
def breakdowns_refresh(*, actor: Actor, today: dt.date | None = None) -> int:
    """Recompute and replace the stored breakdowns of every active org of depth <=
    STORED_DEPTH. Returns the number of rows stored."""
    today = today or clock.today()
    width = STORED_DEPTH * Org.steplen
    orgs = dict(Org.objects.filter(depth__lte=STORED_DEPTH).values_list("path", "id"))
    # one refresh at a time: a second run waits, then replaces the first's rows
    list(Org.objects.select_for_update().filter(depth=1))
    by_prefix = members.held_breakdown_by_prefix(prefix_len=width, today=today)
    sums: dict[str, dict[str, Any]] = {}
    for prefix, part in by_prefix.items():
        for cut in range(Org.steplen, len(prefix) + 1, Org.steplen):
            if prefix[:cut] in orgs:
                _add(sums.setdefault(prefix[:cut], {}), part)
    now = clock.now()
    empty: dict[str, Any] = {"status": {}, "gender": {}, "education": {}, "employment_form": {},
                             "new_employment_group": {},
                             "age_band": {label: 0 for label, _l, _h in members.AGE_BANDS}}
    SubtreeBreakdown.objects.all().delete()
    SubtreeBreakdown.objects.bulk_create(
        [SubtreeBreakdown(org_id=orgs[path], org_path=path, as_of=today, computed_at=now,
                          data=sums.get(path, empty)) for path in orgs], batch_size=2000)
    audit_record(actor=actor, action="stats.breakdowns", object_type="stats.subtreebreakdown",
                 object_id=today.isoformat(), org_path="",
                 note=_("会员构成：{n} 个组织").format(n=len(orgs)))
    return len(orgs)

