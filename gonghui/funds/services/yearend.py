"""Year-end closing (年终结账) and its reopening (反结账).

Closing year Y of a union posts one closing entry dated 31 December in the closing period
(Y13, after December): every income and spending account's balance is carried (结转) into
330201 本年结余, which is carried on into 330202 累计结余; the year is then locked (a
`ClosedPeriod` with month 0). The year's income statement (months 1–12) is unchanged; every
later period starts from zero income and spending and the carried net assets. Closing again
changes nothing (the closing in force is returned). Reopening is an administrator's logged
action (`funds.reopen`) that reverses the closing entry in the same closing period and unlocks
the year; a later year must be reopened first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import transition
from gonghui.funds.chart import STANDARD_CHART, SURPLUS_ACCUMULATED
from gonghui.funds.models import (
    CLOSING_MONTH,
    Account,
    Book,
    ClosedPeriod,
    Finding,
    FindingStatus,
    PeriodBalance,
    RunStatus,
    YearCloseRun,
    YearClosing,
)
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import chart_ensure, post_transaction
from gonghui.funds.sums import fen
from gonghui.funds.tasks import run_year_close
from gonghui.orgs.models import Org, OrgStatus

ZERO = Decimal("0.00")
CLOSING_SOURCE = "funds.year_close"


@dataclass
class CloseResult:
    closing: YearClosing
    created: bool  # False: the year was closed before, nothing new was written


def chart_upgrade(union: Org) -> None:
    """Accounts added to the standard chart after the book was opened (e.g. 本年结余)."""
    chart_ensure(union)
    if Account.objects.filter(union=union, code=SURPLUS_ACCUMULATED).exists():
        return
    Account.objects.bulk_create(
        [Account(union=union, code=code, name=name, category=cat, parent_code=parent)
         for code, name, cat, parent in STANDARD_CHART], ignore_conflicts=True)


def _check_year(year: int) -> None:
    if not 1900 <= year <= 2999:
        raise ApplicationError(_("年度不正确。"), code="bad_period")
    if dt.date(year, 12, 31) >= clock.today():
        raise ApplicationError(_("{y} 年度尚未结束，不能结账。").format(y=year),
                               code="period_not_ended")


def year_close_blockers(union: Org, year: int) -> list[str]:
    """Why `union` cannot close `year` (empty: it can): a ledger whose month balances do not
    sum to zero (debits ≠ credits), open audit findings (经审意见 not yet closed)."""
    reasons: list[str] = []
    row = PeriodBalance.objects.filter(union=union, period__lte=year * 100 + CLOSING_MONTH
                                       ).aggregate(d=Sum("debit"), c=Sum("credit"))
    if fen(row["d"]) != fen(row["c"]):
        reasons.append(_("借贷不平衡：借方合计 {d}，贷方合计 {c}。").format(
            d=fen(row["d"]), c=fen(row["c"])))
    open_findings = Finding.objects.filter(
        union=union, status__in=[FindingStatus.OPEN, FindingStatus.ANSWERED]).count()
    if open_findings:
        reasons.append(_("有 {n} 条审计意见尚未关闭。").format(n=open_findings))
    return reasons


def _closing_lines(union: Org, year: int) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Lines carrying every income and spending balance up to the year's end (earlier years
    never closed included) into 本年结余 and on into 累计结余; and the surplus."""
    # yearend_batch imports this module (the per-union path): a module-level import would cycle
    from gonghui.funds.services.yearend_batch import closing_lines_from

    rows = (PeriodBalance.objects.filter(union=union, period__lte=year * 100 + CLOSING_MONTH)
            .filter(Q(account_code__startswith="4") | Q(account_code__startswith="5"))
            .values("account_code").annotate(d=Sum("debit"), c=Sum("credit")))
    return closing_lines_from((row["account_code"], row["d"], row["c"]) for row in rows)


def year_close(*, union: Org, year: int, actor: Actor) -> CloseResult:
    """Close `union`'s `year` (see the module doc). Needs `funds.write`."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    _check_year(year)
    return _close_one(union, year, actor)


def _close_one(union: Org, year: int, actor: Actor) -> CloseResult:
    """`year_close` once the caller has checked the actor and the year (the subtree run checks
    them once, at its root: funds.write there covers the subtree)."""
    chart_upgrade(union)
    with transaction.atomic():
        Book.objects.select_for_update().get(union=union)
        current = YearClosing.objects.filter(union=union, year=year,
                                             reopened_at__isnull=True).first()
        if current is not None:
            return CloseResult(current, created=False)
        if ClosedPeriod.objects.filter(union=union, year__gt=year, month=0).exists():
            raise Conflict(_("以后年度已结账，不能再结 {y} 年度。").format(y=year),
                           code="later_year_closed")
        blockers = year_close_blockers(union, year)
        if blockers:
            raise ApplicationError(
                _("“{name}”不能结账：{why}").format(name=union.name, why="；".join(blockers)),
                code="cannot_close", extra={"reasons": blockers})
        lines, surplus = _closing_lines(union, year)
        attempt = YearClosing.objects.filter(union=union, year=year).count()
        tx = None
        if lines:
            tx = post_transaction(
                union=union, date=dt.date(year, 12, 31),
                memo=_("{y} 年度结账：收支结转本年结余，转入累计结余").format(y=year),
                lines=lines, idempotency_key=f"{CLOSING_SOURCE}:{year}:{attempt}",
                actor=actor, source=CLOSING_SOURCE, closing_entry=True)
        closing = YearClosing.objects.create(
            union=union, year=year, transaction=tx, surplus=surplus,
            closed_by=actor_user(actor), closed_by_name=actor_name(actor))
        ClosedPeriod.objects.get_or_create(union=union, year=year, month=0,
                                           defaults={"closed_by": actor_user(actor)})
        audit_record(actor=actor, action="funds.year_close", obj=closing, org_path=union.path,
                     object_repr=f"{union.name} {year}",
                     after={"year": year, "surplus": str(surplus),
                            "voucher": tx.voucher_label if tx else ""})
    return CloseResult(closing, created=True)


def year_reopen(*, union: Org, year: int, reason: str, actor: Actor) -> YearClosing:
    """反结账: reverse the closing entry and unlock the year. Needs `funds.reopen` (an
    administrator's capability); the reason is required and logged."""
    require_funds(actor, Capability.FUNDS_REOPEN, union)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写反结账原因。"), code="reason_required")
    with transaction.atomic():
        Book.objects.select_for_update().get(union=union)
        closing = (YearClosing.objects.select_for_update()
                   .filter(union=union, year=year, reopened_at__isnull=True).first())
        if closing is None:
            raise ApplicationError(_("{y} 年度未结账。").format(y=year), code="not_closed")
        if ClosedPeriod.objects.filter(union=union, year__gt=year, month=0).exists():
            raise Conflict(_("以后年度已结账，请先反结账以后年度。"), code="later_year_closed")
        ClosedPeriod.objects.filter(union=union, year=year, month=0).delete()
        reversal = None
        if closing.transaction is not None:
            original = closing.transaction
            reversal = post_transaction(
                union=union, date=original.date,
                memo=_("冲销 {label}：反结账 {y} 年度（{why}）").format(
                    label=original.voucher_label, y=year, why=reason)[:255],
                lines=[(ln.account.code, -ln.amount)
                       for ln in original.lines_with_accounts()],
                idempotency_key=f"funds.year_reopen:{closing.pk}", actor=actor,
                source="funds.year_reopen", reversal_of=original, closing_entry=True)
        closing.reopened_at = timezone.now()
        closing.reopened_by = actor_user(actor)
        closing.reopen_reason = reason[:255]
        closing.reversal = reversal
        closing.save(update_fields=["reopened_at", "reopened_by", "reopen_reason", "reversal"])
        audit_record(actor=actor, action="funds.year_reopen", obj=closing, org_path=union.path,
                     object_repr=f"{union.name} {year}", note=reason,
                     after={"year": year, "reversal": reversal.voucher_label if reversal else ""})
    return closing


# --- a whole subtree ------------------------------------------------------------------------


@dataclass
class SubtreeOutcome:
    total: int = 0
    closed: int = 0
    already: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)


def subtree_unions(root: Org) -> list[Org]:
    """The active unions of `root`'s subtree that keep a book, in path order."""
    return list(Org.objects.filter(path__startswith=root.path, status=OrgStatus.ACTIVE,
                                   funds_book__isnull=False).order_by("path"))


def year_close_subtree(*, root: Org, year: int, actor: Actor,
                       progress: Callable[[int, SubtreeOutcome], None] | None = None
                       ) -> SubtreeOutcome:
    """Close `year` for every union of the subtree, a chunk of unions per database transaction
    (`yearend_batch.close_chunk`: set queries and bulk inserts, the same result as
    `year_close` per union); a union the chunk leaves aside (already closed, cannot close…) is
    closed on its own, so one union that cannot close stops nothing else.
    `progress(done, outcome)` is called after each union, in path order."""
    # yearend_batch imports this module (the per-union path): a module-level import would cycle
    from gonghui.funds.services.yearend_batch import CHUNK, close_chunk_safely

    require_funds(actor, Capability.FUNDS_WRITE, root)
    _check_year(year)
    outcome = SubtreeOutcome()
    unions = subtree_unions(root)
    outcome.total = len(unions)
    done = 0
    for start in range(0, len(unions), CHUNK):
        chunk = unions[start:start + CHUNK]
        _closed, left = close_chunk_safely(chunk, year, actor)
        aside = set(left)
        for union in chunk:
            if union.pk not in aside:
                outcome.closed += 1
            else:
                _close_alone(union, year, actor, outcome)
            done += 1
            if progress is not None:
                progress(done, outcome)
    return outcome


def _close_alone(union: Org, year: int, actor: Actor, outcome: SubtreeOutcome) -> None:
    try:
        result = _close_one(union, year, actor)
    except ApplicationError as exc:
        outcome.failures.append({"code": union.code, "name": union.name,
                                 "reasons": exc.extra.get("reasons") or [exc.message]})
    else:
        if result.created:
            outcome.closed += 1
        else:
            outcome.already += 1


def year_close_run_start(*, root: Org, year: int, actor: Actor) -> YearCloseRun:
    """Queue a subtree closing (the page's progress bar follows the run row)."""
    require_funds(actor, Capability.FUNDS_WRITE, root)
    _check_year(year)
    run = YearCloseRun.objects.create(org=root, year=year, created_by=actor_user(actor),
                                      created_by_name=actor_name(actor))
    audit_record(actor=actor, action="funds.year_close_subtree", obj=run, org_path=root.path,
                 object_repr=f"{root.name} {year}", after={"year": year})

    transaction.on_commit(lambda: run_year_close.enqueue(run.pk))
    return run


# a subtree run: queued → running → done or failed (progress counters are not state)
RUN_TRANSITIONS: dict[str, set[str]] = {
    RunStatus.QUEUED: {RunStatus.RUNNING},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED},
}


def year_close_run_execute(run: YearCloseRun, actor: Actor) -> YearCloseRun:
    """The background part of `year_close_run_start` (runs as the user who started it)."""
    with transaction.atomic():
        run = transition(run, RunStatus.RUNNING, transitions=RUN_TRANSITIONS, history=False)

    def progress(done: int, outcome: SubtreeOutcome) -> None:
        if done == outcome.total or done % 50 == 0:
            YearCloseRun.objects.filter(pk=run.pk).update(
                total=outcome.total, processed=done, closed=outcome.closed,
                already=outcome.already, failures=outcome.failures)

    try:
        year_close_subtree(root=run.org, year=run.year, actor=actor, progress=progress)
    except ApplicationError as exc:
        YearCloseRun.objects.filter(pk=run.pk).update(
            failures=[{"code": run.org.code, "name": run.org.name, "reasons": [exc.message]}])
        end = RunStatus.FAILED
    else:
        end = RunStatus.DONE
    with transaction.atomic():
        run = transition(run, end, transitions=RUN_TRANSITIONS, history=False,
                         extra_fields={"finished_at": timezone.now()})
    run.refresh_from_db()
    return run
