"""Fixtures of the aid tests: aid cadres on the shared tree, a city 低保 standard, members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_user
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.testing import synthetic_id_number


def id_number(birth: str = "19800101", region: str = "310101") -> str:
    """A valid number, unique within the test run, born on `birth` (YYYYMMDD)."""
    return synthetic_id_number(region=region, birth=birth)


def make_person(union: Any, name: str = "张伟", *, number: str | None = None,
                birth: str = "19800101") -> Any:
    """A member with an active membership in `union`, added through the member registry's
    own service (so its counters and history are right)."""
    from gonghui.accounts.models import User
    from gonghui.members.services import member_add

    registrar = User.objects.filter(username="registry_bot").first()
    if registrar is None:
        registrar = User.objects.create(username="registry_bot", is_superuser=True)
    fields = {"name": name, "id_number": number or id_number(birth), "phone": "13812345678",
              "ethnicity": "汉族", "education": "高中", "political_status": "群众",
              "household_type": "城镇", "employment_form": "劳动合同制",
              "employer_name": union.name.removesuffix("工会"), "occupation": "操作工",
              "monthly_wage": "5000"}
    return member_add(union=union, fields=fields, actor=registrar,
                      joined_on=dt.date(2015, 3, 1)).person


@pytest.fixture
def aid_cadre(tree):
    """Grassroots aid cadre of SH-A-1-1: opens files, records help."""
    return make_user("aid_a11", org=tree["SH-A-1-1"], role="cadre")


@pytest.fixture
def street_cadre(tree):
    """Street cadre of SH-A-1: verifies files opened below."""
    return make_user("street_a1", org=tree["SH-A-1"], role="cadre")


@pytest.fixture
def standard(tree, city_admin):
    from gonghui.aid.services.standards import standard_save

    row, _ = standard_save(org=tree["SH"], year=clock.today().year, monthly_line=Decimal("1510"),
                           actor=city_admin)
    return row


@pytest.fixture
def person(tree):
    return make_person(tree["SH-A-1-1"], "张伟")


def open_file(person: Any, actor: Actor, *, incomes: tuple[str, ...] = ("2000",),
              extra_members: int = 1, causes: tuple[str, ...] = ("illness",)) -> Any:
    """A draft file: the applicant, `extra_members` more people, the given monthly incomes."""
    from gonghui.aid.services import files as svc

    file = svc.file_open(person=person, actor=actor, address="上海市测试路 1 号")
    for i in range(extra_members):
        svc.member_add(file=file, actor=actor, id_number=id_number("20100101"),
                       name=f"家属{i + 1}", relation="child", work="student",
                       education="junior")
    for amount in incomes:
        svc.income_add(file=file, actor=actor, kind="wage", monthly_amount=Decimal(amount))
    svc.file_update(file=file, actor=actor, causes=list(causes))
    file.refresh_from_db()
    return file


def active_file(person: Any, actor: Actor, verifier: Actor, **kwargs: Any) -> Any:
    from gonghui.aid.services import files as svc

    file = open_file(person, actor, **kwargs)
    svc.file_submit(file=file, actor=actor, category=file.proposed_category or "relative",
                    note="" if file.proposed_category else "测试")
    file = svc.file_verify(file=file, actor=verifier, note="入户核实属实")
    file.refresh_from_db()
    return file
