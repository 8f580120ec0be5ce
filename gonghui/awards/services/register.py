"""The model-worker register: honours entered from the archive and care records. Hardship help
opens (or links) a hardship file in the aid module through aid's own service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.aid.models import HardshipFile
from gonghui.aid.models.choices import OPEN_STATUSES
from gonghui.aid.services.files import file_open
from gonghui.audit.services import audit_record
from gonghui.awards.models import CareKind, CareRecord, HonourKind, HonourRecord, ModelWorker
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.members.models import HELD_STATUSES, Membership, Person
from gonghui.orgs.models import Org

WRITE = Capability.AWARDS_WRITE


def model_worker_add(*, person: Person, union: Org, actor: Actor, kind: str, year: int,
                     level: str, title: str, monthly_allowance: Decimal = Decimal("0"),
                     unit_name: str = "") -> ModelWorker:
    """Enter a model worker honoured before Gonghui (from the paper archive) with one honour."""
    require_capability(actor, WRITE, union)
    if kind not in HonourKind.values:
        raise ApplicationError(_("请选择荣誉类型。"), code="kind", extra={"field": "kind"})
    if not 1950 <= int(year) <= clock.today().year:
        raise ApplicationError(_("获奖年度不正确。"), code="year", extra={"field": "year"})
    if monthly_allowance < 0:
        raise ApplicationError(_("津贴不能为负数。"), code="allowance",
                               extra={"field": "monthly_allowance"})
    if not Membership.objects.filter(person=person, union_path__startswith=union.path).exists():
        raise ApplicationError(_("{name}不在本单位会员名册中。").format(name=person.name),
                               code="not_member", extra={"field": "person"})
    with transaction.atomic():
        worker, created = ModelWorker.objects.get_or_create(
            person=person, defaults={"union": union, "union_path": union.path,
                                     "name": person.name, "birth_date": person.birth_date,
                                     "unit_name": unit_name or person.employer_name,
                                     "monthly_allowance": monthly_allowance})
        HonourRecord.objects.create(model_worker=worker, person=person,
                                    union_path=worker.union_path, name=person.name, kind=kind,
                                    level=level, year=year,
                                    title=title.strip() or str(HonourKind(kind).label))
        audit_record(actor=actor, action="awards.register.add", obj=worker,
                     org_path=worker.union_path,
                     after={"kind": kind, "year": year, "created": created})
    return worker


def care_record(*, worker: ModelWorker, kind: str, on: dt.date, actor: Actor,
                amount: Decimal = Decimal("0"), note: str = "") -> CareRecord:
    require_capability(actor, WRITE, worker.union)
    if kind not in CareKind.values or kind == CareKind.HARDSHIP:
        raise ApplicationError(_("请选择关爱类别（困难帮扶请通过“困难帮扶建档”办理）。"),
                               code="kind", extra={"field": "kind"})
    if amount < 0:
        raise ApplicationError(_("金额不能为负数。"), code="amount", extra={"field": "amount"})
    if on > clock.today():
        raise ApplicationError(_("日期不能晚于今天。"), code="future", extra={"field": "on"})
    if worker.deceased:
        raise Conflict(_("{name}已故，不能再登记关爱记录。").format(name=worker.name),
                       code="deceased")
    with transaction.atomic():
        row = CareRecord.objects.create(model_worker=worker, union_path=worker.union_path,
                                        kind=kind, on=on, amount=amount,
                                        note=note.strip()[:500], created_by=actor_user(actor))
        audit_record(actor=actor, action="awards.care.record", obj=row,
                     org_path=worker.union_path,
                     after={"kind": kind, "on": on, "amount": str(amount)})
    return row


def hardship_help(*, worker: ModelWorker, actor: Actor, note: str = "") -> CareRecord:
    """Hardship help for an (old) model worker: link the household's open hardship file, or
    open one through the aid module's service (its rules and permissions apply)."""
    require_capability(actor, WRITE, worker.union)
    if not note.strip():
        raise ApplicationError(_("请填写困难情况说明。"), code="note_required",
                               extra={"field": "note"})
    with transaction.atomic():
        file = (HardshipFile.objects.filter(applicant=worker.person,
                                            status__in=list(OPEN_STATUSES))
                .order_by("-id").first())
        opened = file is None
        if file is None:
            if not Membership.objects.filter(person=worker.person,
                                             status__in=HELD_STATUSES).exists():
                raise ApplicationError(_("{name}没有有效会籍，无法建立困难帮扶档案。").format(
                    name=worker.name), code="not_member")
            file = file_open(person=worker.person, actor=actor)
        row = CareRecord.objects.create(
            model_worker=worker, union_path=worker.union_path, kind=CareKind.HARDSHIP,
            on=clock.today(), note=((_("新建困难帮扶档案 {n}：") if opened
                                   else _("关联困难帮扶档案 {n}：")).format(n=file.number)
                                  + note.strip())[:500],
            aid_file=file, created_by=actor_user(actor))
        audit_record(actor=actor, action="awards.care.hardship", obj=row,
                     org_path=worker.union_path, after={"aid_file": file.pk, "opened": opened})
    return row
