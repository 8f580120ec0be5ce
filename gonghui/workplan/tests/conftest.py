"""Workplan fixtures on top of the shared tree and personas (root conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import make_user
from gonghui.core import clock
from gonghui.core.actor import SYSTEM
from gonghui.workplan.parsing import parse_plan
from gonghui.workplan.services.plans import plan_create

SEED = Path(__file__).parent / "fixtures" / "shanghai_2018_plan.txt"

DISTRICT_TEXT = """{name}2018年工作要点
一、服务职工
1. 做好春节送温暖工作。（责任单位：权益保障部、办公室）
2. 推进楼宇工会建设。（牵头单位：基层工作部；配合单位：组织部）
二、自身建设
3. 加强机关作风建设。（责任单位：办公室）
"""

# the day tests stand on unless they move the clock
TODAY = dt.date(2018, 6, 1)


@pytest.fixture
def today():
    with clock.frozen(TODAY):
        yield TODAY


@pytest.fixture
def seed_plan(tree, today):
    return plan_create(org=tree["SH"], parsed=parse_plan(SEED.read_text(encoding="utf-8")),
                       actor=SYSTEM, source_name=SEED.name)


def district_plan(org):
    return plan_create(org=org, parsed=parse_plan(DISTRICT_TEXT.format(name=org.name)),
                       actor=SYSTEM, source_name="district.txt")


@pytest.fixture
def plan_a(tree, today):
    return district_plan(tree["SH-A"])


@pytest.fixture
def plan_b(tree, today):
    return district_plan(tree["SH-B"])


@pytest.fixture
def department_member(tree):
    """A viewer at SH-A who works in district A's 基层工作部 (must exist: use with plan_a)."""
    return make_user("jiceng_a", org=tree["SH-A"], role="viewer")
