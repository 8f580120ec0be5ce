"""The member portal's “我的数据” section of mutual aid (PIPL Art. 45): the worker's own payouts
(hospital stays: health data, and amounts) and the payee account on file, masked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.members.mydata import Section
from gonghui.mutualaid.models import PayeeAccount, Payout


def sections(*, person: Any, user: Any) -> list[Section]:
    payouts = (Payout.objects.filter(person=person).select_related("plan")
               .prefetch_related("settlement").order_by("id"))
    accounts = PayeeAccount.objects.filter(person=person).order_by("id")
    return [
        Section("mutualaid_payouts", _("互助保障给付"),
                [_("保障计划"), _("计划年度"), _("医疗机构"), _("入院日期"), _("出院日期"),
                 _("给付金额"), _("状态"), _("支付日期")],
                [[p.plan.name, p.plan_year, p.settlement.hospital if p.settlement else "",
                  p.settlement.admitted_on if p.settlement else "",
                  p.settlement.discharged_on if p.settlement else "", p.amount,
                  p.get_status_display(), p.paid_on] for p in payouts]),
        Section("mutualaid_accounts", _("互助保障收款账户"),
                [_("户名"), _("开户银行"), _("银行账号"), _("当前账户")],
                [[a.holder_name, a.bank_name, a.account_masked,
                  _("是") if a.is_current else _("否")] for a in accounts]),
    ]
