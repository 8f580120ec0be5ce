"""Retention of closed cases (issue 13, PIPL 《个人信息保护法》: personal information is kept no
longer than its purpose needs, and deleted or de-identified once that period ends).

A case that has been closed for longer than the retention period keeps what statistics and the
union's own record need (union, kind, dates, amounts, outcome) and loses what identifies the
worker: name, ID number and its blind index, phone, the account link, free text and attached
documents. Apps register one rule each (`register`, as members.mydata takes its sections); a
rule is `fn(*, cutoff, dry_run) -> RuleResult`, counts what it pseudonymised (or would have),
and must be idempotent (a case already pseudonymised is not counted again).

    gonghui retention [--years N] [--dry-run]

One audit row per run (action `retention.run`) with the cutoff, the counts and the case ids —
never the erased values. The audit trail itself is not rewritten: its hash chain must verify;
see docs/security.md for what it keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor

# What an erased name reads as in lists and exports.
PSEUDONYM = "（已匿名）"
ERASED_TEXT = "（已按保存期限删除）"


@dataclass
class RuleResult:
    rule: str
    ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


Rule = Callable[..., RuleResult]

# Ids per statement when a rule pseudonymises its cases (one IN list per chunk).
CHUNK = 1000


def chunks(ids: list[int]) -> Iterator[list[int]]:
    """The ids of a rule's result, CHUNK at a time (every rule writes them this way)."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]

_RULES: list[Rule] = []


def register(rule: Rule) -> None:
    if rule not in _RULES:
        _RULES.append(rule)


def retention_years() -> int:
    return int(getattr(settings, "GONGHUI_CASE_RETENTION_YEARS", 10))


def cutoff_for(today: dt.date, years: int) -> dt.date:
    """The last day a case may have been closed on to be pseudonymised today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def run(*, actor: Actor, years: int | None = None, dry_run: bool = False,
        today: dt.date | None = None) -> list[RuleResult]:
    """Apply every rule to cases closed on or before the cutoff (all in one transaction)."""
    years = retention_years() if years is None else years
    if years < 1:
        raise ValueError("the retention period is at least one year")
    cutoff = cutoff_for(today or clock.today(), years)
    with transaction.atomic():
        results = [rule(cutoff=cutoff, dry_run=dry_run) for rule in _RULES]
        audit_record(actor=actor, action="retention.run", object_type="audit.retention",
                     object_repr=f"retention {years} years",
                     after={"years": years, "cutoff": cutoff.isoformat(), "dry_run": dry_run,
                            "rules": {r.rule: {"count": r.count, "ids": r.ids[:1000]}
                                      for r in results}})
    return results
