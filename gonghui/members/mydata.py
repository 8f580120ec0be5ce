"""“我的数据”: everything the platform holds about the signed-in worker (PIPL Art. 45: the right to
access and copy one's personal information).

The member registry answers for the account, the person it is linked to (only once the account
has proven to be that person: members.services.identity), memberships, applications and
transfers. Modules above members add their own sections through `register` (as
`core.search.register` takes search providers): a provider is `fn(*, person, user) ->
list[Section]`, called only for a linked person and returning only that person's rows. ID
numbers and bank accounts appear masked: a copy downloaded on a shared phone must not carry
them in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gonghui.members.models import Application, Membership, Person, Transfer
from gonghui.members.services.identity import consent_of


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


Provider = Callable[..., list[Section]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return "" if value is None else value


def my_data(user: Any) -> list[Section]:
    """The sections for `user` (internal: the account is the viewer; it reads only its own)."""
    consent = consent_of(user)
    sections = [Section("account", _("账户"), [_("项目"), _("内容")], [
        [_("登录名"), user.username],
        [_("姓名"), getattr(user, "display_name", "")],
        [_("手机号"), getattr(user, "phone", "")],
        [_("注册时间"), user.date_joined],
        [_("同意的个人信息处理规则版本"), consent["version"] if consent else ""],
        [_("同意时间"), consent["at"] if consent else ""],
    ])]
    person = Person.objects.filter(user=user).first()
    applications = Application.objects.filter(applicant=user).select_related("union") \
        .order_by("-created_at")
    sections.append(Section("applications", _("入会申请"),
                            [_("申请加入的工会"), _("状态"), _("提交时间"), _("审批意见")],
                            [[a.union.name, a.get_status_display(), a.created_at,
                              a.decision_reason] for a in applications]))
    if person is None:
        return [_clean(s) for s in sections]
    sections.append(Section("person", _("个人信息"), [_("项目"), _("内容")], [
        [_("姓名"), person.name], [_("性别"), person.get_gender_display()],
        [_("民族"), person.ethnicity],
        [_("身份证号码"), person.masked_id], [_("出生日期"), person.birth_date],
        [_("手机号"), person.masked_phone], [_("学历"), person.get_education_display()],
        [_("政治面貌"), person.get_political_status_display()],
        [_("户籍类型"), person.get_household_type_display()],
        [_("用工形式"), person.get_employment_form_display()],
        [_("新就业形态群体"), person.get_new_employment_group_display()],
        [_("工作单位"), person.employer_name], [_("职业/岗位"), person.occupation],
        [_("技能等级"), person.get_skill_level_display()], [_("月工资"), person.monthly_wage],
    ]))
    memberships = Membership.objects.filter(person=person).select_related("union") \
        .order_by("joined_on", "id")
    sections.append(Section("memberships", _("会籍"),
                            [_("工会"), _("状态"), _("会员证号"), _("入会日期"), _("终止日期")],
                            [[m.union.name, m.get_status_display(), m.card_number or "",
                              m.joined_on, m.ended_on] for m in memberships]))
    transfers = Transfer.objects.filter(person=person).select_related("from_union", "to_union") \
        .order_by("created_at", "id")
    sections.append(Section("transfers", _("转会"),
                            [_("转出工会"), _("转入工会"), _("状态"), _("申请时间")],
                            [[t.from_union.name, t.to_union.name, t.get_status_display(),
                              t.created_at] for t in transfers]))
    for provider in _PROVIDERS:
        sections.extend(provider(person=person, user=user))
    return [_clean(s) for s in sections]


def _clean(section: Section) -> Section:
    section.rows = [[_text(v) for v in row] for row in section.rows]
    return section


def as_json(user: Any, *, at: dt.datetime) -> dict[str, Any]:
    return {"exported_at": at.isoformat(timespec="seconds"),
            "sections": [{"key": s.key, "title": s.title,
                          "rows": [dict(zip(s.columns, row, strict=True)) for row in s.rows]}
                         for s in my_data(user)]}
