"""The life of an active file: yearly review, exit (解困脱困) and the relapse watch
(返贫致困预警) on exited households, with one-click reopening."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.aid import rules
from gonghui.aid.models import (
    TRANSITIONS,
    ActivityKind,
    AssessmentSource,
    FileStatus,
    HardshipFile,
    IncomeAssessment,
)
from gonghui.aid.services.common import (
    activity,
    audit,
    require_reason,
    require_write,
    timeline_writer,
)
from gonghui.aid.services.files import (
    _locked,
    assess,
    claims_release,
    claims_take,
    confirm_category,
    refresh_figures,
)
from gonghui.aid.services.standards import effective_policy
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError
from gonghui.core.workflow import transition


def review_record(*, file: HardshipFile, actor: Actor, category: str, note: str = "",
                  evidence: str = "") -> IncomeAssessment:
    """年度复核 (or the review a flag asked for): reassess income against today's standard,
    confirm the category, and set the next review date."""
    require_write(actor, file)
    with transaction.atomic():
        file = refresh_figures(_locked(file))
        if file.status != FileStatus.ACTIVE:
            raise ApplicationError(_("只有在档帮扶的档案需要复核。"), code="not_active")
        previous = file.category
        assessment = assess(file, source=AssessmentSource.REVIEW, actor=actor, evidence=evidence)
        confirm_category(file, category=category, note=note, actor=actor)
        policy = effective_policy(file.union_path)
        file.next_review_due = rules.add_months(clock.today(), policy.review_months)
        file.needs_review, file.review_reason = False, ""
        file.save(update_fields=["category", "category_note", "category_confirmed_at",
                                 "category_confirmed_by", "next_review_due", "needs_review",
                                 "review_reason", "above_line_since", "updated_at"])
        activity(file, ActivityKind.REVIEW, actor=actor, reason=note or evidence,
                 data={"per_capita": str(assessment.per_capita_income),
                       "line": str(assessment.line), "category_from": previous,
                       "category_to": file.category,
                       "next_review_due": file.next_review_due.isoformat()})
        audit(actor, "aid.file.review", file, before={"category": previous},
              after={"category": file.category,
                     "next_review_due": file.next_review_due.isoformat()})
    return assessment


def exit_check(file: HardshipFile) -> tuple[bool, str]:
    """Can this active file exit today on its recorded figures? (reason when not). Pure read."""
    if file.status != FileStatus.ACTIVE:
        return False, _("只有在档帮扶的档案可以办理脱困。")
    if file.upper_line is None:
        return False, _("没有适用的低保标准。")
    if file.per_capita_income < file.upper_line:
        return False, _("当前家庭月人均收入 {pc} 元低于困难线 {upper} 元（低保标准的倍数上限），不能脱困。").format(
            pc=file.per_capita_income, upper=file.upper_line)
    months = effective_policy(file.union_path).exit_months
    since = file.above_line_since or clock.today()
    eligible = rules.exit_eligible_on(since, months)
    if eligible is not None and clock.today() < eligible:
        return False, _("自 {since} 起收入持续高于困难线，须满 {n} 个月（{date} 起）方可脱困。").format(
            since=since.isoformat(), n=months, date=eligible.isoformat())
    return True, ""


def file_exit(*, file: HardshipFile, actor: Actor, evidence: str) -> HardshipFile:
    """解困脱困: today's check must be at/above the exit line and the unbroken run of such checks
    must have lasted the configured months. The household then enters the relapse watch."""
    require_write(actor, file)
    evidence = require_reason(evidence, _("脱困依据"))
    with transaction.atomic():
        file = refresh_figures(_locked(file))
        if file.status != FileStatus.ACTIVE:
            raise ApplicationError(_("只有在档帮扶的档案可以办理脱困。"), code="not_active")
        assessment = assess(file, source=AssessmentSource.EXIT, actor=actor, evidence=evidence)
        policy = effective_policy(file.union_path)
        if not assessment.above_exit_line:
            raise ApplicationError(
                _("当前家庭月人均收入 {pc} 元低于困难线 {upper} 元，不能脱困。").format(
                    pc=assessment.per_capita_income, upper=assessment.upper_line),
                code="below_line",
            )
        since = file.above_line_since
        eligible = rules.exit_eligible_on(since, policy.exit_months)
        today = clock.today()
        if since is None or eligible is None or today < eligible:
            raise ApplicationError(
                _("自 {since} 起收入持续高于困难线，须满 {n} 个月（{date} 起）方可脱困。").format(
                    since=since.isoformat() if since else today.isoformat(),
                    n=policy.exit_months, date=(eligible or today).isoformat()),
                code="too_early",
            )
        run = list(file.assessments.filter(assessed_on__gte=since).order_by("assessed_on", "id")
                   .values("assessed_on", "per_capita_income", "upper_line", "source"))
        data = {"above_since": since.isoformat(), "months": policy.exit_months,
                "assessments": [{"on": r["assessed_on"].isoformat(),
                                 "per_capita": str(r["per_capita_income"]),
                                 "upper": str(r["upper_line"]), "source": r["source"]}
                                for r in run]}
        file = transition(
            file, FileStatus.EXITED, transitions=TRANSITIONS,
            write_history=timeline_writer(ActivityKind.EXIT, actor, evidence, data),
            extra_fields={
                "exited_on": today, "above_line_since": since,
                "watch_until": rules.add_months(today, policy.watch_months),
                "next_followup_due": rules.add_months(today, policy.followup_months),
                "next_review_due": None, "needs_review": False, "relapse_found": False,
            },
        )
        claims_release(file)
    return file


def followup_record(*, file: HardshipFile, actor: Actor, household_size: int,
                    monthly_income: Decimal, note: str) -> tuple[IncomeAssessment, bool]:
    """返贫回访 of an exited household: its income now, against today's line. Below the exit
    line is a relapse finding, which arms the one-click reopening. The next follow-up is due
    one interval later while the watch lasts."""
    require_write(actor, file)
    note = require_reason(note, _("回访情况"))
    with transaction.atomic():
        file = _locked(file)
        if file.status != FileStatus.EXITED:
            raise ApplicationError(_("只有已脱困的家庭需要返贫回访。"), code="not_exited")
        assessment = assess(file, source=AssessmentSource.FOLLOWUP, actor=actor, evidence=note,
                            household_size=household_size, monthly_income=monthly_income)
        relapse = not assessment.above_exit_line
        policy = effective_policy(file.union_path)
        following = rules.add_months(clock.today(), policy.followup_months)
        file.next_followup_due = (following if file.watch_until and following <= file.watch_until
                                  else None)
        file.relapse_found = relapse
        file.save(update_fields=["next_followup_due", "relapse_found", "above_line_since",
                                 "updated_at"])
        activity(file, ActivityKind.RELAPSE_CHECK, actor=actor, reason=note,
                 data={"per_capita": str(assessment.per_capita_income),
                       "upper": str(assessment.upper_line), "relapse": relapse,
                       "household_size": household_size,
                       "monthly_income": str(assessment.monthly_income)})
        audit(actor, "aid.file.followup", file, after={"relapse": relapse})
    return assessment, relapse


def file_reopen(*, file: HardshipFile, actor: Actor, reason: str = "") -> HardshipFile:
    """One click after a follow-up found the household below the line: the file is open again
    (填报中) for the cadre to update and resubmit through the verification chain."""
    require_write(actor, file)
    with transaction.atomic():
        file = _locked(file)
        if file.status != FileStatus.EXITED or not file.relapse_found:
            raise ApplicationError(_("只有回访发现返贫的已脱困档案可以重新开档。"),
                                   code="no_relapse")
        finding: dict[str, Any] = (file.activities.filter(kind=ActivityKind.RELAPSE_CHECK)
                                   .order_by("-at", "-id").values_list("data", flat=True)
                                   .first()) or {}
        reason = (reason or "").strip() or _("返贫回访发现家庭月人均收入低于困难线")
        file = transition(
            file, FileStatus.DRAFT, transitions=TRANSITIONS,
            write_history=timeline_writer(ActivityKind.REOPEN, actor, reason, finding),
            extra_fields={"relapse_found": False, "reopen_count": file.reopen_count + 1,
                          "next_followup_due": None, "watch_until": None,
                          "above_line_since": None},
        )
        claims_take(file, actor)
        refresh_figures(file)
    return file
