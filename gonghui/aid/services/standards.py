"""Local 低保 standards and the aid policy: resolution for a union, writes, and the re-flagging
of affected files when a standard changes (never a silent reclassification)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid import rules
from gonghui.aid.models import (
    OPEN_STATUSES,
    ActivityKind,
    AidPolicy,
    FileActivity,
    FileStatus,
    HardshipFile,
    LocalStandard,
)
from gonghui.audit.services import audit_record, diff, snapshot
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.money import to_money
from gonghui.orgs.models import Org, OrgStatus

STEP = Org.steplen


def ancestor_paths(path: str) -> list[str]:
    """`path` and the paths of all its ancestors, root first."""
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


@dataclass(frozen=True)
class Policy:
    relative_multiple: Decimal = rules.DEFAULT_MULTIPLE
    exit_months: int = 12
    review_months: int = 12
    followup_months: int = 6
    watch_months: int = 24


def effective_policy(union_path: str) -> Policy:
    """The nearest ancestor's policy (the union's own included); the defaults without one."""
    row = (AidPolicy.objects.filter(org_path__in=ancestor_paths(union_path))
           .order_by("-org_path").first())
    if row is None:
        return Policy()
    return Policy(relative_multiple=row.relative_multiple, exit_months=row.exit_months,
                  review_months=row.review_months, followup_months=row.followup_months,
                  watch_months=row.watch_months)


def resolve_standard(union_path: str, year: int) -> LocalStandard | None:
    """The standard in force for a union in `year`: the newest year up to `year` among the
    union's region and its ancestors' regions; within that year the most specific region.
    (A standard stays in force until the next one is published.)"""
    return (LocalStandard.objects.filter(org_path__in=ancestor_paths(union_path), year__lte=year)
            .order_by("-year", "-org_path").first())


def _require_policy_write(actor: Actor, org: Org) -> None:
    """policy.write over the region's org (404 outside the actor's subtrees, 403 read-only); a
    merged or dissolved org's figures are history and stay as they are."""
    # standards are aid reference data: visible to aid readers (the region's own figures)
    require_capability(actor, Capability.POLICY_WRITE, org, read=Capability.AID_READ)
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            _("“{org}”已合并或撤销，其低保标准和政策参数不再修改。").format(org=org.name),
            code="org_inactive")


def standard_save(
    *,
    org: Org,
    year: int,
    monthly_line: Decimal,
    actor: Actor,
    effective_from: dt.date | None = None,
    source: str = "",
) -> tuple[LocalStandard, str]:
    """Create or change the standard of `org`'s region for `year`. Returns the row and one of
    "created", "updated", "unchanged". A change re-flags the affected open files."""
    _require_policy_write(actor, org)
    line = to_money(monthly_line)
    if line <= 0:
        raise ApplicationError(_("低保标准必须大于 0。"), code="line_not_positive")
    if not 2000 <= int(year) <= 2100:
        raise ApplicationError(_("年度应在 2000 到 2100 之间。"), code="year_range")
    with transaction.atomic():
        row = LocalStandard.objects.select_for_update().filter(org=org, year=year).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = LocalStandard.objects.create(
                        org=org, org_path=org.path, year=year, monthly_line=line,
                        effective_from=effective_from, source=source,
                        updated_by=actor_user(actor),
                    )
            except IntegrityError as exc:
                raise Conflict(_("该地区该年度的标准刚被他人录入，请刷新后再试。"),
                               code="duplicate") from exc
            audit_record(actor=actor, action="aid.standard.create", obj=row,
                         org_path=org.path, after=snapshot(row))
            outcome, line_changed = "created", True
        else:
            before = snapshot(row)
            row.monthly_line, row.effective_from, row.source = line, effective_from, source
            old, new = diff(before, snapshot(row))
            if not new:
                return row, "unchanged"
            row.updated_by = actor_user(actor)
            row.save()
            audit_record(actor=actor, action="aid.standard.update", obj=row, org_path=org.path,
                         before=old, after=new)
            outcome, line_changed = "updated", "monthly_line" in new
        if line_changed:
            files_reflag(org_path=org.path, actor=actor,
                         note=_("{org} {year} 年度低保标准调整为 {line} 元/人/月").format(
                             org=org.short_name or org.name, year=year, line=line))
    return row, outcome


def policy_save(*, org: Org, actor: Actor, **values: Any) -> AidPolicy:
    _require_policy_write(actor, org)
    allowed = {"relative_multiple", "exit_months", "review_months", "followup_months",
               "watch_months"}
    unknown = set(values) - allowed
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    multiple = values.get("relative_multiple")
    if multiple is not None and not Decimal("1") <= Decimal(multiple) <= Decimal("5"):
        raise ApplicationError(_("相对困难上限应为低保标准的 1 到 5 倍。"), code="multiple_range")
    for name in allowed - {"relative_multiple"}:
        if name in values and int(values[name]) < 1:
            raise ApplicationError(_("月数必须至少为 1。"), code="months_range")
    with transaction.atomic():
        row = AidPolicy.objects.select_for_update().filter(org=org).first()
        before = snapshot(row) if row else {}
        if row is None:
            row = AidPolicy(org=org, org_path=org.path)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor_user(actor)
        row.save()
        old, new = diff(before, snapshot(row))
        audit_record(actor=actor, action="aid.policy.save", obj=row, org_path=org.path,
                     before=old, after=new)
        if "relative_multiple" in new:
            files_reflag(org_path=org.path, actor=actor,
                         note=_("相对困难上限调整为低保标准的 {m} 倍").format(
                             m=row.relative_multiple))
    return row


def files_reflag(*, org_path: str, actor: Actor, note: str) -> int:
    """Recompute the proposal of every open file under `org_path` against the standards now in
    force. The confirmed category never changes here: a submitted or active file whose proposal
    now differs is flagged for review, with the reason on its timeline. Returns the number of
    files flagged. Runs in the caller's transaction.

    Set-based: the unions below `org_path` are grouped by the (line, year, multiple) that
    applies to them (resolved in Python from the small standards and policy tables), and each
    group is one UPDATE whose CASE computes the proposal from the stored per-capita income —
    a city-wide change touches every open file of the city without loading one."""
    year = clock.today().year
    base = HardshipFile.objects.filter(union_path__startswith=org_path, status__in=OPEN_STATUSES)
    paths = list(base.order_by().values_list("union_path", flat=True).distinct())
    if not paths:
        return 0
    above = ancestor_paths(org_path)
    standards = list(LocalStandard.objects.filter(year__lte=year).filter(
        Q(org_path__startswith=org_path) | Q(org_path__in=above))
        .values_list("org_path", "year", "monthly_line"))
    policies = dict(AidPolicy.objects.filter(
        Q(org_path__startswith=org_path) | Q(org_path__in=above))
        .values_list("org_path", "relative_multiple"))
    groups: dict[tuple[Decimal | None, int | None, Decimal], list[str]] = {}
    for path in paths:
        chain = ancestor_paths(path)
        mine = set(chain)
        best = max((s for s in standards if s[0] in mine), key=lambda s: (s[1], len(s[0])),
                   default=None)
        multiple = next((policies[p] for p in reversed(chain) if p in policies),
                        rules.DEFAULT_MULTIPLE)
        key = (best[2], best[1], multiple) if best else (None, None, multiple)
        groups.setdefault(key, []).append(path)
    flagged = 0
    for (line, line_year, multiple), group in groups.items():
        if len(groups) == 1:  # the usual case: one standard for the whole subtree
            flagged += _reflag_group(base, line, line_year, multiple, actor=actor, note=note)
            continue
        for i in range(0, len(group), 500):
            flagged += _reflag_group(base.filter(union_path__in=group[i:i + 500]), line,
                                     line_year, multiple, actor=actor, note=note)
    return flagged


def _proposal_sql(line: Decimal | None, upper: Decimal | None) -> Case:
    """rules.propose() as SQL on the stored (already rounded) per-capita income."""
    if line is None:
        return Case(When(sudden=True, then=Value(rules.Category.SUDDEN.value)),
                    default=Value(""), output_field=CharField())
    return Case(
        When(per_capita_income__lt=line, then=Value(rules.Category.DEEP.value)),
        When(sudden=True, then=Value(rules.Category.SUDDEN.value)),
        When(per_capita_income__lt=upper, then=Value(rules.Category.RELATIVE.value)),
        default=Value(""), output_field=CharField(),
    )


def _reflag_group(files: Any, line: Decimal | None, line_year: int | None, multiple: Decimal,
                  *, actor: Actor, note: str) -> int:
    upper = rules.upper_line(line, multiple) if line is not None else None
    proposal = _proposal_sql(line, upper)
    # Files already computed against these figures need nothing (the proposal depends only on
    # them and on the stored per-capita income). Django turns `line=None` into IS NULL.
    changed = files.exclude(Q(line=line) & Q(upper_line=upper) & Q(line_year=line_year))
    # affected = the proposal moves, to something other than what the cadre confirmed (a file
    # whose confirmed category already differed and whose proposal stays put is not affected)
    to_flag = list(changed.filter(status__in=(FileStatus.SUBMITTED, FileStatus.ACTIVE))
                   .annotate(new_proposal=proposal)
                   .exclude(category="").exclude(category=F("new_proposal"))
                   .exclude(proposed_category=F("new_proposal"))
                   .values_list("pk", "union_id", "new_proposal"))
    changed.update(line=line, upper_line=upper, line_year=line_year, proposed_category=proposal,
                   updated_at=clock.now())
    if not to_flag:
        return 0
    now, real, name = clock.now(), actor_user(actor), actor_name(actor)
    reasons: dict[str, str] = {}
    for new in {row[2] for row in to_flag}:
        reasons[new] = _("{note}：系统建议类别变为“{new}”，请复核（当前确认类别不变）。").format(
            note=note, new=rules.category_label(new))[:500]
        HardshipFile.objects.filter(pk__in=[pk for pk, _u, p in to_flag if p == new]).update(
            needs_review=True, review_reason=reasons[new])
    FileActivity.objects.bulk_create([
        FileActivity(file_id=pk, union_id=union_id, kind=ActivityKind.STANDARD, at=now,
                     actor=real, actor_name=name,
                     reason=reasons[new], data={"line": str(line), "proposed": new})
        for pk, union_id, new in to_flag
    ], batch_size=1000)
    return len(to_flag)


def apply_proposal(f: HardshipFile, standard: LocalStandard | None, policy: Policy) -> None:
    """Set the file's current proposal fields from its figures (no save)."""
    size = max(f.household_size, 1)
    f.per_capita_income = rules.per_capita(f.monthly_income, size)
    if standard is None:
        f.line = f.upper_line = f.line_year = None
        f.proposed_category = rules.Category.SUDDEN if f.sudden else ""
        return
    proposal = rules.propose(total_monthly=f.monthly_income, household_size=size,
                             line=standard.monthly_line, multiple=policy.relative_multiple,
                             sudden=f.sudden)
    f.line, f.upper_line, f.line_year = proposal.line, proposal.upper, standard.year
    f.proposed_category = proposal.category
