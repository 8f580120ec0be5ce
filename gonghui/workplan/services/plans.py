"""Importing a plan: upload → preview (a draft the office corrects) → save; editing a plan's
settings afterwards."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record, snapshot
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.core.workflow import transition
from gonghui.orgs.models import Org
from gonghui.workplan.models import (
    DRAFT_TRANSITIONS,
    DepartmentRole,
    DraftStatus,
    Heading,
    Item,
    ItemDepartment,
    Plan,
    PlanDraft,
)
from gonghui.workplan.parsing import ParsedPlan, item_title, parse_plan
from gonghui.workplan.permissions import (
    can_issue,
    require_own_draft,
    require_supervise,
    require_write,
)
from gonghui.workplan.services.departments import NAME_MAX, departments_ensure

MAX_ITEMS = 300


def parsed_errors(parsed: ParsedPlan) -> list[str]:
    """What must be fixed before a parsed (and possibly edited) plan can be saved."""
    errors = []
    if not parsed.title.strip():
        errors.append(_("请填写工作要点的标题。"))
    elif len(parsed.title) > 200:
        errors.append(_("标题过长（最多 200 个字）。"))
    if parsed.year is None or not 2000 <= parsed.year <= 2100:
        errors.append(_("请填写正确的年度（2000—2100）。"))
    if not parsed.items:
        errors.append(_("没有任何任务条目。"))
    if len(parsed.items) > MAX_ITEMS:
        errors.append(_("任务条目过多（最多 {n} 项）。").format(n=MAX_ITEMS))
    for index, heading in enumerate(parsed.headings):
        if not heading.text.strip():
            errors.append(_("第 {n} 部分没有标题。").format(n=index + 1))
        elif len(heading.text) > 255:
            errors.append(_("第 {n} 部分的标题过长。").format(n=index + 1))
    for position, item in enumerate(parsed.items, start=1):
        if not item.text.strip():
            errors.append(_("第 {n} 项没有内容。").format(n=position))
        if item.heading is not None and not 0 <= item.heading < len(parsed.headings):
            errors.append(_("第 {n} 项所属的部分不存在。").format(n=position))
        if not item.departments:
            errors.append(_("第 {n} 项没有责任单位。").format(n=position))
        if len(set(item.departments)) != len(item.departments):
            errors.append(_("第 {n} 项的责任单位有重复。").format(n=position))
        for name in item.departments:
            if len(name) > NAME_MAX:
                errors.append(_("第 {n} 项的责任单位“{name}”过长。").format(n=position, name=name[:20]))
        if len(item.title) > 200:
            errors.append(_("第 {n} 项的任务名称过长（最多 200 个字）。").format(n=position))
    return errors


def require_issuer(actor: Actor, org: Org) -> None:
    """Permission, then eligibility, for creating a plan (or a draft of one) for `org`:
    workplan.write over it, and an active federation from street level up (`can_issue`). A
    system actor passes the first, never the second."""
    require_write(actor, org)
    if not can_issue(org):
        if not org.is_active:
            raise ApplicationError(
                _("{org}{status}，不能再制定工作要点。").format(
                    org=org.name, status=org.get_status_display()),
                code="org_inactive", extra={"field": "org"})
        raise ApplicationError(
            _("只有街道及以上的工会可以制定工作要点（{org}是{level}工会）。").format(
                org=org.name, level=org.get_level_display()),
            code="org_level", extra={"field": "org"})


def plan_draft_create(*, org: Org, source_name: str, text: str, actor: Actor) -> PlanDraft:
    """Parse an uploaded plan and keep the result as a draft for the preview."""
    require_issuer(actor, org)
    if actor_user(actor) is None:
        raise ApplicationError(_("导入草稿属于上传它的用户，请登录后上传。"), code="draft_user")
    parsed = parse_plan(text)
    with transaction.atomic():
        draft = PlanDraft.objects.create(
            org=org, source_name=source_name[:255], data=parsed.to_dict(),
            created_by=actor_user(actor), created_at=clock.now(),
        )
        audit_record(actor=actor, action="workplan.draft_create", obj=draft, org_path=org.path,
                     after={"source_name": draft.source_name, "headings": len(parsed.headings),
                            "items": len(parsed.items)})
    return draft


def _open_draft(draft: PlanDraft) -> PlanDraft:
    locked = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.status != DraftStatus.DRAFT:
        raise Conflict(_("该导入已处理（{status}），不能再修改。").format(
            status=locked.get_status_display()), code="draft_closed")
    return locked


def plan_draft_update(*, draft: PlanDraft, parsed: ParsedPlan, actor: Actor) -> PlanDraft:
    """Keep the office's corrections from the preview."""
    require_own_draft(actor, draft)
    with transaction.atomic():
        locked = _open_draft(draft)
        locked.data = parsed.to_dict()
        locked.save(update_fields=["data"])
        audit_record(actor=actor, action="workplan.draft_update", obj=locked,
                     org_path=locked.org.path,
                     after={"headings": len(parsed.headings), "items": len(parsed.items)})
    return locked


def plan_draft_discard(*, draft: PlanDraft, actor: Actor) -> PlanDraft:
    require_own_draft(actor, draft)
    with transaction.atomic():
        locked = _open_draft(draft)
        transition(locked, DraftStatus.DISCARDED, transitions=DRAFT_TRANSITIONS, history=False)
        audit_record(actor=actor, action="workplan.draft_discard", obj=locked,
                     org_path=locked.org.path)
    return locked


def plan_draft_commit(*, draft: PlanDraft, actor: Actor) -> Plan:
    """Save the previewed draft as a plan (once: a second click finds the draft closed)."""
    require_own_draft(actor, draft)
    with transaction.atomic():
        locked = _open_draft(draft)
        plan = plan_create(org=locked.org, parsed=ParsedPlan.from_dict(locked.data),
                           source_name=locked.source_name, actor=actor)
        transition(locked, DraftStatus.SAVED, transitions=DRAFT_TRANSITIONS, history=False,
                   extra_fields={"plan": plan})
    return plan


def plan_create(*, org: Org, parsed: ParsedPlan, actor: Actor, source_name: str = "") -> Plan:
    """Create a plan with its headings, items and responsible departments; departments the plan
    names that the org does not have yet are added to its list.

    THE rule for every path (import page, API, `gonghui workplan import`, demo): workplan.write
    over `org`, and `org` an active federation from street level up (`require_issuer`)."""
    require_issuer(actor, org)
    errors = parsed_errors(parsed)
    if errors:
        raise ApplicationError(errors[0] if len(errors) == 1 else
                               _("有 {n} 处需要修改：").format(n=len(errors)) + "；".join(errors),
                               code="plan_invalid", extra={"errors": errors})
    notice = parsed.notice
    with transaction.atomic():
        names = [name for item in parsed.items for name in item.departments]
        departments = departments_ensure(org=org, names=names, actor=actor)
        plan = Plan(
            org=org, year=parsed.year or 0, title=parsed.title.strip(), header=notice.header[:100],
            doc_number=notice.doc_number[:64], notice_title=notice.title[:255],
            notice_recipients=notice.recipients[:500], notice_body=notice.body,
            issuing_office=notice.office[:100], issued_on=notice.issued_on,
            preamble=parsed.preamble, source_name=source_name[:255],
            created_by=actor_user(actor),
        )
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError as exc:
            raise Conflict(
                _("本单位已有同名或同文号的工作要点：{title}").format(title=plan.title),
                code="plan_exists",
            ) from exc
        headings = Heading.objects.bulk_create([
            Heading(plan=plan, number=index + 1, label=h.label[:8], text=h.text.strip())
            for index, h in enumerate(parsed.headings)
        ])
        items = Item.objects.bulk_create([
            Item(plan=plan, number=position, label=item.label[:16],
                 heading=headings[item.heading] if item.heading is not None else None,
                 title=(item.title.strip() or item_title(item.text.strip()))[:200],
                 text=item.text.strip())
            for position, item in enumerate(parsed.items, start=1)
        ])
        ItemDepartment.objects.bulk_create([
            ItemDepartment(item=item, department=departments[" ".join(name.split())],
                           role=DepartmentRole.LEAD if position == 0 else DepartmentRole.CO,
                           position=position)
            for item, parsed_item in zip(items, parsed.items, strict=True)
            for position, name in enumerate(parsed_item.departments)
        ])
        audit_record(actor=actor, action="workplan.plan_create", obj=plan, org_path=org.path,
                     after={**snapshot(plan, ["org", "year", "title", "doc_number", "issued_on"]),
                            "headings": len(headings), "items": len(items)})
    return plan


PLAN_EDITABLE = ("title", "year", "doc_number", "issuing_office", "issued_on", "preamble",
                 "at_risk_days", "stale_days")


def plan_update(*, plan: Plan, actor: Actor, **fields: Any) -> Plan:
    require_supervise(actor, plan)
    unknown = set(fields) - set(PLAN_EDITABLE)
    if unknown:
        raise ApplicationError(_("不能修改这些字段：{f}").format(f="、".join(sorted(unknown))))
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if not locked.title:
            raise ApplicationError(_("请填写工作要点的标题。"), code="plan_invalid")
        if not 1 <= locked.at_risk_days <= 90:
            raise ApplicationError(_("临近截止预警天数应在 1—90 之间。"), code="plan_invalid")
        if not 1 <= locked.stale_days <= 365:
            raise ApplicationError(_("未报送进度预警天数应在 1—365 之间。"), code="plan_invalid")
        if not 2000 <= locked.year <= 2100:
            raise ApplicationError(_("请填写正确的年度（2000—2100）。"), code="plan_invalid")
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise Conflict(_("本单位已有同名或同文号的工作要点。"), code="plan_exists") from exc
        after = snapshot(locked)
        keys = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
        audit_record(actor=actor, action="workplan.plan_update", obj=locked,
                     org_path=locked.org.path, before={k: before.get(k) for k in keys},
                     after={k: after[k] for k in keys})
    return locked
