"""Closing a month or a year of a union's book (结账). A year goes through
`services.yearend.year_close` (the carry-forward entry, then the lock).

A period's state is the existence of its `ClosedPeriod` row: open → closed, never back (the
unique constraint on (union, year, month) is the transition guard; corrections are reversing
entries in an open period). There is no status column to move, so no transition table."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.models import Book, ClosedPeriod
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import chart_ensure
from gonghui.orgs.models import Org


def period_close(*, union: Org, year: int, month: int, actor: Actor) -> ClosedPeriod:
    """Close `month` (1–12) of `year`, or the whole year with month 0. Only a period that has
    ended can be closed; once closed nothing can be posted dated inside it, and it is never
    reopened (corrections are reversing entries in an open period). A merged or dissolved
    union's book may still be closed: closing adds nothing to it, it seals what is there."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    if month == 0 and 1900 <= year <= 2999:
        # the whole year: the year-end closing (carry-forward entry, then the lock)
        from gonghui.funds.services.yearend import year_close

        year_close(union=union, year=year, actor=actor)
        return ClosedPeriod.objects.get(union=union, year=year, month=0)
    if not 0 <= month <= 12 or not 1900 <= year <= 2999:
        raise ApplicationError(_("期间不正确。"), code="bad_period")
    last_day = dt.date(year, 12, 31) if month == 0 else dt.date(
        year, month, calendar.monthrange(year, month)[1])
    if last_day >= clock.today():
        raise ApplicationError(_("期间尚未结束，不能结账。"), code="period_not_ended")
    with transaction.atomic():
        chart_ensure(union)
        # the posting service holds this lock while it posts: closing waits for it
        Book.objects.select_for_update().get(union=union)
        if month and ClosedPeriod.objects.filter(union=union, year=year, month=0).exists():
            raise Conflict(_("{y} 年度已结账。").format(y=year), code="already_closed")
        try:
            with transaction.atomic():
                closed = ClosedPeriod.objects.create(
                    union=union, year=year, month=month,
                    closed_by=actor_user(actor),
                )
        except IntegrityError as exc:
            label = f"{year}" if month == 0 else f"{year}-{month:02d}"
            raise Conflict(_("期间 {p} 已结账。").format(p=label), code="already_closed") from exc
        audit_record(actor=actor, action="funds.close", obj=closed, org_path=union.path,
                     object_repr=f"{union.name} {closed}", after={"year": year, "month": month})
    return closed

