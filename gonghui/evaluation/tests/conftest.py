"""Fixtures of the evaluation tests: a district scheme, cadres on each level, members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_org, make_user
from gonghui.core import clock
from gonghui.evaluation.models import Grade
from gonghui.evaluation.services.schemes import ItemIn, SectionIn, scheme_create

DAY = dt.datetime(2026, 3, 2, 10, 0)   # a Monday


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with clock.frozen(DAY):
        yield


@pytest.fixture
def cadre_a11(tree: Any) -> Any:
    return make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")


@pytest.fixture
def street_cadre(tree: Any) -> Any:
    return make_user("cadre_a1", org=tree["SH-A-1"], role="cadre")


def make_scheme(org: Any, actor: Any, **kw: Any) -> Any:
    """Total 100: 组织建设 30+20, 民主管理 50; 模范 ≥ 90, 先进 ≥ 80, 合格 ≥ 60; two vetoes."""
    sections = [
        SectionIn("组织建设", [ItemIn("组织健全", Decimal("30"), "工会成立批复"),
                               ItemIn("会员入会", Decimal("20"))]),
        SectionIn("民主管理", [ItemIn("职代会制度", Decimal("50"))]),
    ]
    defaults: dict[str, Any] = {
        "name": "2026年职工之家评定方案", "year": 2026, "sections": sections,
        "thresholds": {Grade.MODEL: Decimal("90"), Grade.ADVANCED: Decimal("80"),
                       Grade.QUALIFIED: Decimal("60")},
        "vetoes": ["发生重大安全生产事故", "经费违规使用"]}
    defaults.update(kw)
    return scheme_create(org=org, actor=actor, **defaults)


@pytest.fixture
def scheme(tree: Any, district_cadre: Any) -> Any:
    return make_scheme(tree["SH-A"], district_cadre)


def add_members(union: Any, n: int, actor: Any, **person: Any) -> list[Any]:
    from gonghui.members.services import member_add
    from gonghui.members.tests.factories import person_fields

    return [member_add(union=union, fields=person_fields(name=_name(), **person),
                       actor=actor, joined_on=dt.date(2020, 1, 1)) for _i in range(n)]


_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
_counter = [0]


def _name() -> str:
    """A fresh Chinese name (member names may hold no digits)."""
    _counter[0] += 1
    n, out = _counter[0], ""
    while n:
        n, r = divmod(n, len(_CHARS))
        out += _CHARS[r]
    return "会员" + out


__all__ = ["add_members", "make_org", "make_scheme"]
