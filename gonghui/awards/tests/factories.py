"""Test data for awards: members with a chosen gender, schemes, quotas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gonghui.awards.models import HonourScheme
from gonghui.awards.services import honours as svc
from gonghui.core.actor import system_actor
from gonghui.members.models import Person
from gonghui.members.services import member_add
from gonghui.members.tests.factories import id_number, person_fields

SYSTEM = system_actor("test")


def member(union: Any, name: str, *, gender: str = "M", birth: dt.date | None = None,
           occupation: str = "钳工") -> Person:
    fields = person_fields(name=name, id_number=id_number(
        gender=gender, birth=birth or dt.date(1985, 3, 14)), occupation=occupation)
    return member_add(union=union, fields=fields, actor=SYSTEM,
                      joined_on=dt.date(2020, 1, 1)).person


def scheme(org: Any, *, kind: str = "labour_medal", year: int = 2026, **extra: Any
           ) -> HonourScheme:
    return svc.scheme_create(org=org, kind=kind, year=year,
                             title=extra.pop("title", f"{year}年度五一劳动奖章"), actor=SYSTEM,
                             **extra)


def nominate(s: HonourScheme, union: Any, person: Person, *, category: str = "frontline",
             actor: Any = SYSTEM) -> Any:
    return svc.nomination_create(scheme=s, union=union, actor=actor, person=person,
                                 category=category, deeds="长期扎根一线，技术革新十余项。",
                                 deeds_summary="技术革新骨干")
