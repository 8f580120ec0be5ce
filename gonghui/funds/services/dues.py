"""Members' dues (会费): a month's list from the roster, marked paid member by member.

Each payment is one income posting (借 银行存款/库存现金, 贷 会费收入) keyed by the entry, and
tells the member registry the member paid (`members.services.membership_touch`, the 6-month
lapse watch of 自动退会)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.citus import shard_key
from gonghui.core.errors import ApplicationError
from gonghui.core.money import FEN
from gonghui.funds.chart import BANK, CASH, DUES
from gonghui.funds.models import DuesEntry, DuesList
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import post_income, require_open_book, reverse_transaction
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.services import membership_touch
from gonghui.orgs.models import Org

DUES_RATE = Decimal("0.005")  # 会费: 0.5% of the member's monthly wage (中国工会章程 / SPEC §2.5)


def dues_amount(wage: Decimal | None) -> Decimal:
    if wage is None:
        return Decimal("0.00")
    return (wage * DUES_RATE).quantize(FEN, rounding=ROUND_HALF_UP)


def dues_list_generate(*, union: Org, year: int, month: int, actor: Actor) -> DuesList:
    """Create (or refresh) the month's list from the union's active members: new members are
    added, unpaid entries take the current wage; paid entries never change."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    if not 1 <= month <= 12:
        raise ApplicationError(_("月份不正确。"), code="bad_period")
    period = year * 100 + month
    with transaction.atomic():
        try:
            with transaction.atomic():
                dues_list, created = DuesList.objects.get_or_create(
                    union=union, period=period, defaults={"created_by": actor_user(actor)})
        except IntegrityError:
            dues_list, created = DuesList.objects.get(union=union, period=period), False
        dues_list = DuesList.objects.select_for_update().get(pk=dues_list.pk, union=union)
        members = (Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE)
                   .select_related("person").order_by("id"))
        existing = {e.membership_id: e for e in dues_list.entries.all()}
        new, changed = [], []
        for m in members:
            amount = dues_amount(m.person.monthly_wage)
            entry = existing.get(m.pk)
            if entry is None:
                new.append(DuesEntry(dues_list=dues_list, union=union, membership=m,
                                     person_name=m.person.name, wage=m.person.monthly_wage,
                                     amount=amount))
            elif entry.paid_on is None and (entry.amount != amount
                                            or entry.person_name != m.person.name):
                entry.amount, entry.wage, entry.person_name = (amount, m.person.monthly_wage,
                                                               m.person.name)
                changed.append(entry)
        DuesEntry.objects.bulk_create(new)
        DuesEntry.objects.bulk_update(changed, ["amount", "wage", "person_name"])
        dues_list.save(update_fields=["refreshed_at"])
        audit_record(actor=actor, action="funds.dues_generate" if created else "funds.dues_refresh",
                     obj=dues_list, org_path=union.path,
                     object_repr=f"{union.name} {year}-{month:02d} 会费名单",
                     after={"added": len(new), "updated": len(changed)})
    return dues_list


def dues_mark_paid(*, dues_list: DuesList, entry_ids: Iterable[int], paid_on: dt.date,
                   actor: Actor, into: str = BANK) -> int:
    """Mark entries paid: one income posting each (idempotent per entry and attempt), and the
    member's last dues date moves forward. Already-paid entries are skipped. Returns how many
    were marked now. A payment posts into the union's book, so the book must be open."""
    union = Org.objects.get(pk=dues_list.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    if into not in (BANK, CASH):
        raise ApplicationError(_("收款账户只能是银行存款或库存现金。"), code="bad_account")
    if paid_on > clock.today():
        raise ApplicationError(_("缴费日期不能晚于今天。"), code="future_date")
    ids = sorted({int(i) for i in entry_ids})
    marked = 0
    with transaction.atomic():
        entries = list(DuesEntry.objects.select_for_update()
                       .filter(dues_list=dues_list, pk__in=ids, paid_on__isnull=True,
                               union_id=dues_list.union_id)  # one shard on Citus
                       .order_by("id"))
        missing_wage = [e.person_name for e in entries if e.amount <= 0]
        if missing_wage:
            raise ApplicationError(
                _("以下会员未登记月工资，无法计算会费：{names}。请先在会员信息中登记，再刷新名单。")
                .format(names="、".join(missing_wage[:10])), code="wage_missing")
        label = f"{dues_list.period // 100}-{dues_list.period % 100:02d}"
        for entry in entries:
            tx = post_income(
                union=union, date=paid_on, account_code=DUES, amount=entry.amount,
                memo=_("{name} {period} 会费").format(name=entry.person_name, period=label),
                idempotency_key=f"dues:{entry.pk}:{entry.attempt}", actor=actor,
                source="funds.dues", into=into,
            )
            DuesEntry.objects.filter(pk=entry.pk).update(paid_on=paid_on, transaction=tx)
            membership_touch(membership_id=entry.membership_id, kind="dues", on=paid_on,
                             actor=actor)
            marked += 1
    return marked


def dues_unmark(*, entry: DuesEntry, actor: Actor, reason: str) -> DuesEntry:
    """Undo a payment recorded by mistake: its posting is reversed (dated today, in an open
    period) and the entry is unpaid again. The member's last dues date is not moved back
    (membership_touch only moves forward); the audit trail shows the correction."""
    union = Org.objects.get(pk=entry.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写撤销原因。"), code="reason_required")
    with transaction.atomic():
        locked = DuesEntry.objects.select_for_update().get(pk=entry.pk, **shard_key(entry))
        tx = locked.transaction
        if locked.paid_on is None or tx is None:
            raise ApplicationError(_("该会员本月会费尚未登记为已缴。"), code="not_paid")
        reverse_transaction(tx=tx, actor=actor, memo=_("撤销会费登记 #{pk}：{why}").format(
            pk=tx.pk, why=reason)[:255])
        DuesEntry.objects.filter(pk=locked.pk).update(paid_on=None, transaction=None,
                                                      attempt=locked.attempt + 1)
        audit_record(actor=actor, action="funds.dues_unmark", obj=locked, org_path=union.path,
                     before={"paid_on": locked.paid_on, "transaction": tx.pk},
                     after={"paid_on": None}, note=reason)
    locked.refresh_from_db()
    return locked
