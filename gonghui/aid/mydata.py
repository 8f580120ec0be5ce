"""The member portal's “我的数据” section of hardship aid (PIPL Art. 45): the worker's own
hardship files and their household (health and income are sensitive: shown to the worker only,
ID numbers masked as stored)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.aid.selectors import files_of_person
from gonghui.members.mydata import Section


def sections(*, person: Any, user: Any) -> list[Section]:
    files = list(files_of_person(person))
    return [
        Section("aid_files", _("困难职工档案"),
                [_("档案编号"), _("所属工会"), _("状态"), _("困难类别"), _("家庭人口"),
                 _("家庭住址"), _("联系电话"), _("下次复核日期"), _("脱困日期")],
                [[f.number, f.union.name, f.get_status_display(), f.get_category_display(),
                  f.household_size, f.address, f.phone, f.next_review_due, f.exited_on]
                 for f in files]),
        Section("aid_household", _("困难职工档案中的家庭成员"),
                [_("档案编号"), _("姓名"), _("与申请人关系"), _("身份证号码"), _("健康状况"),
                 _("就业状况")],
                [[f.number, h.name, h.get_relation_display(), h.id_masked,
                  h.get_health_display(), h.get_work_display()]
                 for f in files for h in sorted(f.household.all(), key=lambda h: h.pk)]),
    ]
