"""Postings of mutual aid into the funds ledger (through funds' posting service only).

- A union's contribution for an enrolment run: the union pays (Dr 互助保障缴费 / Cr 银行存款) and
  the plan's federation receives (Dr 银行存款 / Cr 其他收入); two transactions, each balanced in
  its own book, each idempotent by a key naming the run. Dated the day the run is recorded
  (when the money moves); the coverage date (enrolled_on) may be earlier, e.g. a union that
  enrolled on paper in January and is registered later, when January is already closed.
- A paid payout: the plan's federation pays (Dr 互助保障给付 / Cr 银行存款), idempotent by a key
  naming the payout, so a result file sent twice or a retried task posts once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.funds.chart import BANK, MUTUAL_AID_CONTRIBUTION, MUTUAL_AID_PAYOUT, OTHER_INCOME
from gonghui.funds.services import post_transaction

CONTRIBUTION_SOURCE = "mutualaid.contribution"
PAYOUT_SOURCE = "mutualaid.payout"


def post_contribution(*, run: Any, actor: Actor) -> list[Any]:
    amount: Decimal = run.amount
    if amount <= 0:
        return []
    memo = _("{plan} {year} 年度互助保障缴费（{n} 人，{on} 起保障）").format(
        plan=run.plan.name, year=run.plan_year, n=run.enrolled_count, on=run.enrolled_on)
    day = clock.today()
    # both vouchers link back to the plan whose enrolment they record (issue 12 item 12)
    label = _("互助保障缴费 {plan} {year} 年度").format(plan=run.plan.name,
                                                     year=run.plan_year)[:255]
    url = reverse("mutualaid:plan", args=[run.plan.pk])
    paid = post_transaction(
        union=run.union, date=day, memo=memo, actor=actor,
        lines=[(MUTUAL_AID_CONTRIBUTION, amount), (BANK, -amount)],
        idempotency_key=f"mutualaid.contribution.{run.pk}.paid", source=CONTRIBUTION_SOURCE,
        source_label=label, source_url=url,
    )
    received = post_transaction(
        union=run.plan.org, date=day, memo=memo, actor=actor,
        lines=[(BANK, amount), (OTHER_INCOME, -amount)],
        idempotency_key=f"mutualaid.contribution.{run.pk}.received",
        source=CONTRIBUTION_SOURCE, source_label=label, source_url=url,
    )
    return [paid, received]


def post_payout(*, payout: Any, paid_on: dt.date, actor: Actor) -> Any:
    memo = _("{plan} 给付 {ref}").format(plan=payout.plan.name, ref=payout.reference)
    # the voucher links back to the payout it records (issue 12 item 12)
    return post_transaction(
        union=payout.plan.org, date=paid_on, memo=memo[:255], actor=actor,
        lines=[(MUTUAL_AID_PAYOUT, payout.amount), (BANK, -payout.amount)],
        idempotency_key=f"mutualaid.payout.{payout.pk}", source=PAYOUT_SOURCE,
        source_label=_("互助保障给付 {ref}").format(ref=payout.reference),
        source_url=reverse("mutualaid:payout", args=[payout.pk]),
    )
