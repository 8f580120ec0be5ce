"""How mutual aid reacts to a member's life events (core.hooks "member.ended", registered in
MutualaidConfig.ready), inside the members service's transaction.

A membership that ends (deceased, withdrawn, lapsed) ends the cover on that day: the person's
enrolments still running are cut to end on the end date, so settlements admitted up to then are
still computed and paid, later ones find no cover; an enrolment whose cover had not begun yet is
cancelled (退保). Payouts already made stay exactly as they are, and a person without 会籍 cannot
be enrolled again (enrol_members takes active members only). A transfer keeps the member's 会籍
and therefore the cover: nothing happens here for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor
from gonghui.core.citus import lock_per_union
from gonghui.core.workflow import transition
from gonghui.mutualaid.models import ENROLMENT_TRANSITIONS, Enrolment, EnrolmentStatus


def member_ended(*, membership: Any, status: str, on: dt.date, actor: Actor,
                 reason: str = "") -> None:
    if status == "transferred_out":
        return
    # a person's enrolments may sit in several unions: locked union by union on Citus
    running = lock_per_union(Enrolment.objects.filter(
        person_id=membership.person_id, status=EnrolmentStatus.ACTIVE,
        ends_on__gt=on).order_by("id"))
    if not running:
        return
    cut, cancelled = [], []
    with transaction.atomic():
        for enrolment in running:
            if enrolment.starts_on >= on:
                transition(enrolment, EnrolmentStatus.CANCELLED,
                           transitions=ENROLMENT_TRANSITIONS, history=False)
                cancelled.append(enrolment.pk)
            else:
                Enrolment.objects.filter(pk=enrolment.pk).update(ends_on=on)
                cut.append({"enrolment": enrolment.pk, "ends_on": enrolment.ends_on.isoformat()})
        audit_record(actor=actor, action="mutualaid.enrolment.member_ended", obj=membership,
                     org_path=membership.union_path,
                     before={"enrolments": cut + [{"enrolment": pk} for pk in cancelled]},
                     after={"ends_on": on.isoformat(), "cancelled": cancelled,
                            "membership_status": status}, note=reason)
