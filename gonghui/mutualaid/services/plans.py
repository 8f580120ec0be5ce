"""Plans and their versions. A version is never changed: a rule change is a new version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record, snapshot
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import transition
from gonghui.mutualaid.models import PLAN_TRANSITIONS, Plan, PlanStatus, PlanVersion
from gonghui.mutualaid.permissions import require_plan_policy
from gonghui.mutualaid.rules import PlanKind
from gonghui.orgs.models import Org

RULE_FIELDS = (
    "contribution", "waiting_days", "deductible", "deductible_days", "ratio", "per_day",
    "lump_sum", "per_claim_cap", "per_year_cap", "auto_approve_limit",
)  # fmt: skip


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(
            "；".join(str(m) for ms in exc.message_dict.values() for m in ms), code="invalid"
        ) from exc


def _check_rules(kind: str, rules: dict[str, Any]) -> None:
    """Cross-field rules a constraint cannot say: each kind needs its own amount."""
    if kind == PlanKind.HOSPITAL_ALLOWANCE and not rules.get("per_day"):
        raise ApplicationError(_("住院津贴计划须设置每日津贴金额。"), code="per_day_required")
    if kind == PlanKind.CRITICAL_ILLNESS and not rules.get("lump_sum"):
        raise ApplicationError(_("重大疾病计划须设置一次性给付金额。"), code="lump_sum_required")
    if kind in (PlanKind.SELF_PAID_RATIO, PlanKind.ACCIDENT):
        ratio = rules.get("ratio") or Decimal(0)
        if not Decimal(0) < Decimal(ratio) <= Decimal(1):
            raise ApplicationError(_("给付比例须大于 0 且不超过 100%。"), code="ratio_range")
    claim_cap, year_cap = rules.get("per_claim_cap"), rules.get("per_year_cap")
    if claim_cap is not None and year_cap is not None and claim_cap > year_cap:
        raise ApplicationError(_("单次给付上限不能高于年度给付上限。"), code="caps_order")


def plan_create(*, org: Org, code: str, name: str, kind: str, description: str = "",
                plan_year: int, year_starts_on: dt.date, year_ends_on: dt.date,
                actor: Actor, **rules: Any) -> Plan:
    """A new plan with its first version (effective from the first day of the plan year).
    Needs policy.write over `org`, which must be a working org (not merged or dissolved)."""
    require_capability(actor, Capability.POLICY_WRITE, org)
    if not org.is_active:
        raise ApplicationError(_("已合并或撤销的组织不能开办互助保障计划。"), code="org_closed",
                               extra={"field": "org"})
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        plan = Plan(org=org, org_path=org.path, code=code.strip().upper(), name=name.strip(),
                    kind=kind, description=description)
        _clean(plan, exclude=["org"])
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError as exc:
            raise Conflict(_("计划代码“{code}”已被使用。").format(code=plan.code),
                           code="duplicate") from exc
        version = _new_version(plan, plan_year=plan_year, year_starts_on=year_starts_on,
                               year_ends_on=year_ends_on, effective_on=year_starts_on,
                               actor=actor, note=_("初始版本"), **rules)
        audit_record(actor=actor, action="mutualaid.plan.create", obj=plan, org_path=org.path,
                     after={**snapshot(plan), "version": snapshot(version)})
    return plan


def plan_version_create(*, plan: Plan, plan_year: int, effective_on: dt.date, actor: Actor,
                        note: str = "", year_starts_on: dt.date | None = None,
                        year_ends_on: dt.date | None = None, **rules: Any) -> PlanVersion:
    """The next version: an amendment inside a plan year (same year dates, effective from a
    later date than the year's latest version) or the first version of a new plan year.
    Past payouts keep the version they were computed with."""
    require_plan_policy(actor, plan)
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.ACTIVE:
            raise ApplicationError(_("该计划已停办，不能再修订。"), code="plan_closed")
        latest = (PlanVersion.objects.filter(plan=plan, plan_year=plan_year)
                  .order_by("-effective_on", "-number").first())
        if latest is not None:
            if effective_on <= latest.effective_on:
                raise ApplicationError(
                    _("新版本的生效日期须晚于本年度现行版本的生效日期 {date}。").format(
                        date=latest.effective_on), code="effective_order")
            year_starts_on, year_ends_on = latest.year_starts_on, latest.year_ends_on
        else:
            if year_starts_on is None or year_ends_on is None:
                raise ApplicationError(_("新计划年度须填写年度起止日期。"), code="year_dates")
            if PlanVersion.objects.filter(plan=plan, year_starts_on__lte=year_ends_on,
                                          year_ends_on__gte=year_starts_on).exists():
                raise ApplicationError(_("计划年度的起止日期与其他年度重叠。"),
                                       code="year_overlap")
            effective_on = year_starts_on
        version = _new_version(plan, plan_year=plan_year, year_starts_on=year_starts_on,
                               year_ends_on=year_ends_on, effective_on=effective_on,
                               actor=actor, note=note, **rules)
        audit_record(actor=actor, action="mutualaid.plan.version", obj=version,
                     org_path=plan.org_path, after=snapshot(version))
    return version


def _new_version(plan: Plan, *, actor: Actor, **fields: Any) -> PlanVersion:
    _check_rules(plan.kind, fields)
    if fields["year_ends_on"] <= fields["year_starts_on"]:
        raise ApplicationError(_("年度终止日须晚于起始日。"), code="year_dates")
    if not fields["year_starts_on"] <= fields["effective_on"] <= fields["year_ends_on"]:
        raise ApplicationError(_("生效日期须在计划年度之内。"), code="effective_range")
    number = (PlanVersion.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(plan=plan, number=number, created_by=actor_user(actor), **fields)
    _clean(version, exclude=["plan", "created_by"])
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as exc:
        raise Conflict(_("同一生效日期已有版本，请刷新后重试。"), code="duplicate") from exc
    return version


def plan_close(*, plan: Plan, actor: Actor, reason: str = "") -> Plan:
    """停办: no new enrolments or versions; payouts already made go on. Closing a closed plan
    changes nothing."""
    require_plan_policy(actor, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PlanStatus.CLOSED:
            return plan
        plan = transition(plan, PlanStatus.CLOSED, transitions=PLAN_TRANSITIONS, actor=actor,
                          reason=reason)
        audit_record(actor=actor, action="mutualaid.plan.close", obj=plan,
                     org_path=plan.org_path, before={"status": PlanStatus.ACTIVE},
                     after={"status": PlanStatus.CLOSED})
    return plan


def version_in_force(versions: list[PlanVersion], plan_year: int,
                     day: dt.date) -> PlanVersion | None:
    """The version of `plan_year` in force on `day`: the latest effective on or before it
    (the year's first version is effective from the first day, so a day of the year always
    has one). `versions`: the plan's versions, any order."""
    best: PlanVersion | None = None
    for version in versions:
        if version.plan_year != plan_year or version.effective_on > day:
            continue
        if best is None or (version.effective_on, version.number) > (best.effective_on,
                                                                     best.number):
            best = version
    return best
