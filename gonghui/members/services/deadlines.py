"""Decision deadlines of join applications and incoming transfers (办理时限).

A union decides within N working days of the submission (or of the appeal): N is the nearest
`DecisionPolicy` up the tree, else settings.GONGHUI_MEMBER_DECISION_DAYS (3, the Tianjin
platform's published promise). Working days are THE calendar (`core.workdays`, with 调休): the
deadline is `add_working_days(submitted_on, N)` — counting starts the day after submission, so
an application sent on Friday before a holiday week is due N working days after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import workdays
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError
from gonghui.members.models import (
    Application,
    ApplicationStatus,
    DecisionPolicy,
    Transfer,
    TransferStatus,
)
from gonghui.orgs.models import Org

DEFAULT_DECISION_DAYS = 3


def decision_days(union: Org) -> int:
    """N for `union`: the policy of the nearest org at or above it, else the default."""
    return _days_at(union.path)


def _days_at(path: str) -> int:
    steps = max(1, len(path) // Org.steplen)
    ancestors = [path[: i * Org.steplen] for i in range(1, steps + 1)]
    row = (DecisionPolicy.objects.filter(org_path__in=ancestors)
           .order_by("-org_path").values_list("decision_days", flat=True).first())
    if row:
        return int(row)
    return int(getattr(settings, "GONGHUI_MEMBER_DECISION_DAYS", DEFAULT_DECISION_DAYS))


def due_on(union: Org, submitted_on: dt.date) -> dt.date:
    """The last day of the decision period for a case submitted on `submitted_on`."""
    return workdays.add_working_days(submitted_on, decision_days(union))


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due


def decision_policy_set(*, org: Org, days: int, actor: Actor) -> DecisionPolicy:
    """A federation (or any org) sets its own decision period for its subtree."""
    require_capability(actor, Capability.MEMBER_WRITE, org)
    if not 1 <= days <= 60:
        raise ApplicationError(_("办理时限应为 1 到 60 个工作日。"), code="days_range")
    with transaction.atomic():
        old = DecisionPolicy.objects.filter(org=org).values_list("decision_days",
                                                                 flat=True).first()
        policy, _created = DecisionPolicy.objects.update_or_create(
            org=org, defaults={"org_path": org.path, "decision_days": days})
        audit_record(actor=actor, action="members.decision_policy", obj=policy,
                     org_path=org.path, before={"decision_days": old},
                     after={"decision_days": days})
    return policy


_BATCH = 1000


def due_dates_backfill(*, actor: Actor, dry_run: bool = False) -> dict[str, int]:
    """Give the waiting cases created before deadlines existed their due date, by the same rule
    as a new case: `due_on(union, day)` — an application from its submission day at its union
    (an appealed one from the appeal day at the union above), an incoming transfer from its
    request day at the receiving union. Only cases still waiting and without a date are
    touched (the deadline means nothing once decided); running it again changes nothing.
    One audit row with the counts. Returns {"applications": n, "transfers": n}."""
    days: dict[str, int] = {}

    def due(path: str, at: Any) -> dt.date:
        if path not in days:
            days[path] = _days_at(path)
        return workdays.add_working_days(timezone.localdate(at), days[path])

    applications = list(
        Application.objects.filter(
            due_on__isnull=True,
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.APPEALED])
        .select_related("union").only("pk", "status", "created_at", "appealed_at",
                                      "union__path").order_by("pk"))
    for a in applications:
        if a.status == ApplicationStatus.APPEALED and a.appealed_at is not None:
            parent = a.union.path[:-Org.steplen] or a.union.path
            a.due_on = due(parent, a.appealed_at)
        else:
            a.due_on = due(a.union.path, a.created_at)
    transfers = list(
        Transfer.objects.filter(due_on__isnull=True, status=TransferStatus.PENDING)
        .select_related("to_union").only("pk", "created_at", "to_union__path").order_by("pk"))
    for t in transfers:
        t.due_on = due(t.to_union.path, t.created_at)
    counts = {"applications": len(applications), "transfers": len(transfers)}
    if dry_run or not (applications or transfers):
        return counts
    with transaction.atomic():
        Application.objects.bulk_update(applications, ["due_on"], batch_size=_BATCH)
        Transfer.objects.bulk_update(transfers, ["due_on"], batch_size=_BATCH)
        audit_record(actor=actor, action="members.due_dates_backfill",
                     object_type="members.application", after=counts)
    return counts
