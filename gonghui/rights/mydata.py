"""The member portal's “我的数据” section of rights services (PIPL Art. 45): the cases the
worker filed and those a union entered for them (matched by the blind index of their proven ID
number), with what the worker told the union."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.members.mydata import Section
from gonghui.rights.selectors import cases_of_worker


def sections(*, person: Any, user: Any) -> list[Section]:
    cases = cases_of_worker(user=user, id_hash=person.id_hash)
    return [
        Section("rights_cases", _("维权案件"),
                [_("案件编号"), _("受理工会"), _("案件类型"), _("争议类型"), _("状态"),
                 _("申请日期"), _("用人单位名称"), _("情况说明"), _("诉求金额"), _("结果"),
                 _("结案日期")],
                [[c.number, c.union.name, c.get_kind_display(), c.get_dispute_type_display(),
                  c.get_status_display(), c.applied_on, c.employer_name, c.description,
                  c.amount_claimed, c.get_outcome_display(), c.closed_on] for c in cases]),
    ]
