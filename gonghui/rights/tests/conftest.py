from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_user
from gonghui.core import clock
from gonghui.orgs.models import Employer
from gonghui.rights.models import CaseKind
from gonghui.rights.services import cases as case_svc

TODAY = dt.datetime(2026, 6, 1, 10, 0)


@pytest.fixture
def today():
    with clock.frozen(TODAY):
        yield TODAY.date()


@pytest.fixture
def cadre_a(tree):
    """A union cadre of SH-A-1 (street A): rights read/write in that subtree."""
    return make_user("cadre_a1", org=tree["SH-A-1"], role="cadre")


def make_employer(area: Any, name: str = "甲一制造有限公司", *, workers: int = 100,
                  uscc: str = "") -> Employer:
    return Employer.objects.create(name=name, area=area, union=None, employees_count=workers,
                                   uscc=uscc)


def open_case(union: Any, actor: Any, *, kind: str = CaseKind.MEDIATION,
              applied_on: dt.date | None = None, **extra: Any):
    applied = applied_on or clock.today()
    fields: dict[str, Any] = {
        "worker_name": "王小明", "dispute_type": "wages", "description": "拖欠三个月工资",
        "known_on": applied - dt.timedelta(days=30), "applied_on": applied,
        "amount_claimed": Decimal("15000.00"),
    }
    fields.update(extra)
    return case_svc.case_open(union=union, kind=kind, actor=actor, **fields)
