"""公示 writes: publish a list for N working days, take objections, decide them, close.

    notice = notice_publish(kind="awards.honour", title=_("2026年度先进工作者公示"), org=district,
                            items=[NoticeItemIn(text="张三 甲一公司 技术革新", source_type=
                                   "awards.nomination", source_id=str(n.pk)) for n in chosen],
                            working_days=5, actor=request.user,
                            capability=Capability.ORG_WRITE)

    register_handler("awards.honour", on_close)   # in AwardsConfig.ready()
    def on_close(*, notice, outcomes, actor): ...  # inside the closing transaction

Rules: the period is `working_days` working days starting on `start_date` (the working-day
calendar: 调休 and holidays counted; a year the calendar does not know refuses publication);
objections only from signed-in users during the period; decisions by a holder of the notice's
capability over its org; closing only after the end date with every objection decided.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock, workdays
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.workflow import initial_status, transition
from gonghui.notices.models import Notice, NoticeItem, Objection
from gonghui.orgs.models import Org

MAX_ITEMS = 5000
MAX_WORKING_DAYS = 60
# 公示 is public: names, units and reasons, never an ID number (PIPL). A run of 15+ digits, or
# 17 digits and a check character, looks like one.
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")


@dataclass(frozen=True)
class NoticeItemIn:
    text: str
    source_type: str = ""
    source_id: str = ""


@dataclass(frozen=True)
class ItemOutcome:
    """What the owning app learns per item when its notice closes."""

    item_id: int
    source_type: str
    source_id: str
    text: str
    upheld: bool  # an objection against this item (or the whole notice) was upheld


OnClose = Callable[..., Any]  # fn(*, notice: Notice, outcomes: list[ItemOutcome], actor) -> Any
_HANDLERS: dict[str, OnClose] = {}


def register_handler(kind: str, on_close: OnClose) -> None:
    """The owning app of `kind` learns each item's outcome when a notice closes (called inside
    the closing transaction: an exception rolls the closing back)."""
    _HANDLERS[kind] = on_close


def handler_for(kind: str) -> OnClose | None:
    return _HANDLERS.get(kind)


def _require_manage(actor: Actor, notice: Notice, message: str = "") -> None:
    require_capability(actor, Capability(notice.capability), notice.org, message=message)


def notice_publish(*, kind: str, title: str, org: Org, items: Sequence[NoticeItemIn],
                   working_days: int, actor: Actor, body: str = "",
                   start_date: dt.date | None = None,
                   capability: Capability = Capability.ORG_WRITE) -> Notice:
    """Publish `items` in `org`'s subtree for `working_days` working days from `start_date`
    (default today). The end date comes from the working-day calendar."""
    require_capability(actor, capability, org)
    if not org.is_active:
        raise ApplicationError(_("该组织已撤销或合并，不能在其范围内公示。"), code="org_inactive",
                               extra={"field": "org"})
    kind, title = kind.strip(), title.strip()
    if not kind or not title:
        raise ApplicationError(_("请填写公示标题。"), code="title_required",
                               extra={"field": "title"})
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise ApplicationError(
            _("公示期应为 1 至 {n} 个工作日。").format(n=MAX_WORKING_DAYS),
            code="working_days_range", extra={"field": "working_days"})
    today = clock.today()
    start = start_date or today
    if start < today:
        raise ApplicationError(_("开始日期不能早于今天。"), code="start_in_past",
                               extra={"field": "start_date"})
    cleaned = [NoticeItemIn(text=i.text.strip(), source_type=i.source_type.strip(),
                            source_id=str(i.source_id).strip()) for i in items]
    if not cleaned:
        raise ApplicationError(_("公示名单不能为空。"), code="items_required",
                               extra={"field": "items"})
    if len(cleaned) > MAX_ITEMS:
        raise ApplicationError(_("一次公示最多 {n} 条。").format(n=MAX_ITEMS),
                               code="items_too_many", extra={"field": "items"})
    for number, item in enumerate(cleaned, start=1):
        if not item.text or len(item.text) > 500:
            raise ApplicationError(_("第 {n} 条内容为空或超过 500 字。").format(n=number),
                                   code="item_text", extra={"field": "items"})
        if _ID_LIKE.search(item.text):
            raise ApplicationError(
                _("第 {n} 条含有疑似身份证号码：公示内容只能包含姓名、单位和事由。").format(n=number),
                code="item_id_number", extra={"field": "items"})
    end = workdays.period_end(start, working_days)  # UnknownCalendarYear → 400 with the year
    with transaction.atomic():
        notice = Notice.objects.create(
            kind=kind[:64], title=title[:200], body=body.strip(), org=org, org_path=org.path,
            capability=str(capability), working_days=working_days, start_date=start,
            end_date=end, status=initial_status(Notice, Notice.Status.PUBLISHED,
                                                initial=Notice.INITIAL),
            created_by=actor_user(actor), created_by_name=actor_name(actor),
            created_at=clock.now())
        NoticeItem.objects.bulk_create([
            NoticeItem(notice=notice, position=n, text=i.text, source_type=i.source_type[:64],
                       source_id=i.source_id[:64]) for n, i in enumerate(cleaned, start=1)])
        audit_record(actor=actor, action="notices.publish", obj=notice, org_path=notice.org_path,
                     after={"kind": notice.kind, "items": len(cleaned), "start_date": start,
                            "end_date": end, "working_days": working_days})
    return notice


def is_open_for_objections(notice: Notice, today: dt.date | None = None) -> bool:
    today = today or clock.today()
    return (notice.status == Notice.Status.PUBLISHED
            and notice.start_date <= today <= notice.end_date)


def objection_submit(*, notice: Notice, text: str, actor: Actor, contact: str = "",
                     item: NoticeItem | None = None) -> Objection:
    """A signed-in user objects to one item or (item=None) to the whole notice."""
    user = actor_user(actor)
    if user is None:
        raise Forbidden(_("请以本人账户登录后提出异议。"), code="objection_needs_user")
    if not is_open_for_objections(notice):
        raise ApplicationError(
            _("公示期为 {start} 至 {end}，当前不在公示期内，不能提出异议。").format(
                start=notice.start_date, end=notice.end_date), code="notice_not_open")
    if item is not None and item.notice_id != notice.pk:
        raise ApplicationError(_("所选条目不属于本公示。"), code="item_mismatch",
                               extra={"field": "item"})
    text = text.strip()
    if not text:
        raise ApplicationError(_("请填写异议内容。"), code="text_required",
                               extra={"field": "text"})
    if len(text) > 2000:
        raise ApplicationError(_("异议内容不能超过 2000 字。"), code="text_too_long",
                               extra={"field": "text"})
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, item=item, author=user, author_name=actor_name(actor), text=text,
            contact=contact.strip()[:100], created_at=clock.now(),
            status=initial_status(Objection, Objection.Status.PENDING,
                                  initial=Objection.INITIAL))
        audit_record(actor=actor, action="notices.objection.submit", obj=objection,
                     org_path=notice.org_path,
                     after={"notice": notice.pk, "item": item.pk if item else None})
    return objection


def objection_decide(*, objection: Objection, upheld: bool, reason: str,
                     actor: Actor) -> Objection:
    """Uphold or dismiss a pending objection, with a reason. An upheld objection marks its item
    (every item when it concerned the whole notice)."""
    notice = objection.notice
    _require_manage(actor, notice, _("您可以查看该公示，但无权处理异议。"))
    if notice.status != Notice.Status.PUBLISHED:
        raise Conflict(_("公示已结束或撤回，不能再处理异议。"), code="notice_final")
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("请填写处理意见。"), code="reason_required",
                               extra={"field": "reason"})
    target = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    with transaction.atomic():
        objection = transition(
            objection, target, transitions=Objection.TRANSITIONS, actor=actor, reason=reason,
            extra_fields={"decision_reason": reason[:500], "decided_by": actor_user(actor),
                          "decided_by_name": actor_name(actor), "decided_at": clock.now()})
        if upheld:
            items = NoticeItem.objects.filter(notice=notice)
            if objection.item_id is not None:
                items = items.filter(pk=objection.item_id)
            items.update(objection_upheld=True)
        audit_record(actor=actor, action="notices.objection.decide", obj=objection,
                     org_path=notice.org_path, after={"status": target, "reason": reason})
    return objection


def _outcomes(notice: Notice) -> list[ItemOutcome]:
    return [ItemOutcome(item_id=i.pk, source_type=i.source_type, source_id=i.source_id,
                        text=i.text, upheld=i.objection_upheld)
            for i in NoticeItem.objects.filter(notice=notice).order_by("position")]


def notice_close(*, notice: Notice, actor: Actor) -> Notice:
    """Close after the end date, once every objection is decided; the kind's handler gets the
    outcome per item in the same transaction."""
    _require_manage(actor, notice, _("您可以查看该公示，但无权结束公示。"))
    if notice.status == Notice.Status.PUBLISHED and clock.today() <= notice.end_date:
        # A state the notice is in, not a bad request: a conflict (409), like pending objections.
        raise Conflict(
            _("公示期至 {end} 结束，期满后才能结束公示。").format(end=notice.end_date),
            code="notice_period_running")
    with transaction.atomic():
        pending = Objection.objects.filter(notice=notice, status=Objection.Status.PENDING)
        if notice.status == Notice.Status.PUBLISHED and pending.exists():
            raise Conflict(_("还有 {n} 条异议未处理，处理完毕后才能结束公示。").format(
                n=pending.count()), code="objections_pending")
        notice = transition(notice, Notice.Status.CLOSED, transitions=Notice.TRANSITIONS,
                            actor=actor, extra_fields={"closed_at": clock.now()})
        outcomes = _outcomes(notice)
        handler = handler_for(notice.kind)
        if handler is not None:
            handler(notice=notice, outcomes=outcomes, actor=actor)
        audit_record(actor=actor, action="notices.close", obj=notice, org_path=notice.org_path,
                     after={"items": len(outcomes),
                            "upheld": sum(1 for o in outcomes if o.upheld)})
    return notice


def notice_withdraw(*, notice: Notice, reason: str, actor: Actor) -> Notice:
    """Withdraw a notice published by mistake (the owning app publishes a corrected one)."""
    _require_manage(actor, notice, _("您可以查看该公示，但无权撤回。"))
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("请填写撤回原因。"), code="reason_required",
                               extra={"field": "reason"})
    with transaction.atomic():
        notice = transition(notice, Notice.Status.WITHDRAWN, transitions=Notice.TRANSITIONS,
                            actor=actor, reason=reason, extra_fields={"closed_at": clock.now()})
        audit_record(actor=actor, action="notices.withdraw", obj=notice,
                     org_path=notice.org_path, note=reason)
    return notice


def close_due(*, actor: Actor, today: dt.date | None = None) -> list[Notice]:
    """Close every notice whose period has ended and whose objections are all decided (the
    daily task / `gonghui notices close-due`). Notices with pending objections stay open."""
    today = today or clock.today()
    due = (Notice.objects.filter(status=Notice.Status.PUBLISHED, end_date__lt=today)
           .exclude(objections__status=Objection.Status.PENDING).select_related("org"))
    return [notice_close(notice=n, actor=actor) for n in due]


def items_from_lines(lines: Iterable[str], *, source_type: str = "") -> list[NoticeItemIn]:
    """Items typed one per line on the generic publish page."""
    return [NoticeItemIn(text=line.strip(), source_type=source_type)
            for line in lines if line.strip()]
