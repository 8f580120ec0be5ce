"""Mutual-aid fixtures: two city plans, members in districts A and B, CSV builders."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_user
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.testing import synthetic_id_number

TODAY = dt.date(2026, 10, 15)
YEAR = 2026
SETTLEMENT_HEADER = ["结算单号", "身份证号码", "姓名", "医疗机构", "入院日期", "出院日期",
                     "医疗总费用", "统筹支付", "个人自付", "类别"]


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(dt.datetime(2026, 10, 15, 10, 0)):
        yield


def id_number(seq: int, region: str = "310101") -> str:
    """THE shared generator (core.testing), under the name these tests use."""
    return synthetic_id_number(seq, region=region)


def add_member(union: Any, name: str, number: str, *, joined_on: dt.date = dt.date(2020, 1, 1)):
    """A person with an active membership, written directly (members' own rules are tested
    in members; here we need many quickly)."""
    from gonghui.core.crypto import blind_index
    from gonghui.core.idnumber import parse
    from gonghui.members.models import Membership, Person

    parsed = parse(number)
    person = Person.objects.create(
        name=name, gender=parsed.gender, id_number=parsed.number,
        id_hash=blind_index(parsed.number),
        birth_date=parsed.birth_date, member_union=union)
    Membership.objects.create(person=person, union=union, union_path=union.path,
                              status="active", joined_on=joined_on, seniority_since=joined_on)
    return person


def settlement_csv(rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SETTLEMENT_HEADER)
    for row in rows:
        own, ins = Decimal(str(row.get("self_paid", "3000.00"))), Decimal(
            str(row.get("insurance_paid", "7000.00")))
        admitted = row.get("admitted", dt.date(2026, 5, 1))
        writer.writerow([
            row["no"], row["id"], row.get("name", "某某"), row.get("hospital", "瑞金医院"),
            admitted.isoformat(),
            (admitted + dt.timedelta(days=row.get("days", 10))).isoformat(),
            str(row.get("total", own + ins)), str(ins), str(own), row.get("category", "疾病"),
        ])
    return out.getvalue().encode(encoding)


@pytest.fixture
def cadre_a11(tree):
    return make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")


@pytest.fixture
def plans(tree, city_admin):
    from gonghui.mutualaid.services import plan_create

    common = {"plan_year": YEAR, "year_starts_on": dt.date(YEAR, 1, 1),
              "year_ends_on": dt.date(YEAR, 12, 31), "org": tree["SH"], "actor": city_admin}
    allowance = plan_create(code="ZYJT", name="住院津贴", kind="hospital_allowance",
                            contribution=Decimal("30.00"), waiting_days=90,
                            per_day=Decimal("50.00"), deductible_days=0,
                            per_claim_cap=Decimal("1000.00"), per_year_cap=Decimal("1500.00"),
                            **common)
    ratio = plan_create(code="ZFBZ", name="住院自付医疗费补助", kind="self_paid_ratio",
                        contribution=Decimal("40.00"), waiting_days=90,
                        deductible=Decimal("500.00"), ratio=Decimal("0.5"),
                        per_claim_cap=Decimal("5000.00"), per_year_cap=Decimal("6000.00"),
                        auto_approve_limit=Decimal("2000.00"), **common)
    return {"allowance": allowance, "ratio": ratio}


@pytest.fixture
def members(tree):
    a = [add_member(tree["SH-A-1-1"], f"甲会员{i}", id_number(i)) for i in range(1, 4)]
    b = [add_member(tree["SH-B-1-1"], f"乙会员{i}", id_number(100 + i)) for i in range(1, 3)]
    return {"a": a, "b": b}


def enrol(plan, union, actor, *, on=dt.date(2026, 1, 5), person_ids=None):
    from gonghui.mutualaid.services import enrol_members

    return enrol_members(plan=plan, plan_year=YEAR, union=union, actor=actor,
                         enrolled_on=on, person_ids=person_ids)


def import_bytes(data: bytes, org, actor=None, name: str = "settlements.csv"):
    from gonghui.mutualaid.services import (
        file_sha256,
        settlement_import_create,
        settlement_import_run,
    )

    binary = io.BytesIO(data)
    source = settlement_import_create(org=org, file_name=name, sha256=file_sha256(binary),
                                      actor=actor or system_actor("test"))
    return settlement_import_run(source=source, binary=binary)
