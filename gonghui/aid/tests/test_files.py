"""Opening a file, the household and incomes, the review chain and one file per person."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import make_user
from gonghui.aid.models import (
    ActivityKind,
    FileActivity,
    FileStatus,
    HardshipFile,
    HouseholdClaim,
    IncomeAssessment,
)
from gonghui.aid.services import files as svc
from gonghui.aid.tests.conftest import active_file, id_number, make_person, open_file
from gonghui.audit.models import AuditEvent, SensitiveRead
from gonghui.core.errors import ApplicationError, Conflict, Forbidden

pytestmark = pytest.mark.django_db


def test_open_file_puts_the_applicant_in_the_household(tree, standard, aid_cadre, person):
    file = svc.file_open(person=person, actor=aid_cadre)
    assert file.status == FileStatus.DRAFT
    assert file.union == tree["SH-A-1-1"]
    assert file.union_path == tree["SH-A-1-1"].path
    assert file.number.startswith("KN")
    [me] = file.household.all()
    assert (me.relation, me.name, me.id_masked) == ("self", "张伟", person.masked_id)
    assert me.id_number == person.id_number
    assert HouseholdClaim.objects.filter(file=file).count() == 1
    assert file.household_size == 1
    assert file.per_capita_income == Decimal("0.00")
    assert file.proposed_category == "deep"
    assert file.line == Decimal("1510.00")
    assert file.upper_line == Decimal("2265.00")
    assert FileActivity.objects.filter(file=file, kind=ActivityKind.OPEN).count() == 1
    assert AuditEvent.objects.filter(action="aid.file.open", object_id=str(file.pk)).count() == 1


def test_proposal_follows_household_and_income(tree, standard, aid_cadre, person):
    file = open_file(person, aid_cadre, incomes=("2000", "1020"), extra_members=1)
    # 3020 / 2 = 1510.00: exactly at the line → 相对困难
    assert (file.household_size, file.monthly_income) == (2, Decimal("3020.00"))
    assert file.per_capita_income == Decimal("1510.00")
    assert file.proposed_category == "relative"
    income = file.incomes.get(monthly_amount=Decimal("1020"))
    svc.income_remove(income=income, actor=aid_cadre)
    file.refresh_from_db()
    assert (file.per_capita_income, file.proposed_category) == (Decimal("1000.00"), "deep")


def test_household_member_id_is_validated_and_masked(tree, standard, aid_cadre, person):
    file = svc.file_open(person=person, actor=aid_cadre)
    with pytest.raises(ApplicationError) as exc:
        svc.member_add(file=file, actor=aid_cadre, id_number="310101198001010010",
                       name="李娜", relation="spouse", work="employed")
    assert exc.value.message == "身份证号码校验位不正确，请核对每一位数字。"
    number = id_number("19820305")
    member = svc.member_add(file=file, actor=aid_cadre, id_number=number.lower(), name="李娜",
                            relation="spouse", work="employed")
    assert member.id_masked == number[:3] + "*" * 11 + number[-4:]
    assert member.birth_date.isoformat() == "1982-03-05"


def test_second_file_for_same_person_points_to_the_visible_one(tree, standard, aid_cadre, person):
    first = svc.file_open(person=person, actor=aid_cadre)
    spouse = id_number("19820305")
    svc.member_add(file=first, actor=aid_cadre, id_number=spouse, name="李娜",
                   relation="spouse", work="employed")
    # the spouse is a member too and someone tries to open a file for her household
    other = make_person(tree["SH-A-1-1"], "李娜", number=spouse)
    with pytest.raises(Conflict) as exc:
        svc.file_open(person=other, actor=aid_cadre)
    assert exc.value.code == "person_has_open_file"
    assert exc.value.message == (f"李娜已在困难职工档案 {first.number}（张伟户，填报中）中，"
                                 "一人只能在一份在档档案中。")
    assert exc.value.extra == {"existing_file_id": first.pk,
                               "existing_file_url": f"/aid/files/{first.pk}/"}
    assert HardshipFile.objects.count() == 1


def test_second_file_elsewhere_gets_a_neutral_message(tree, standard, aid_cadre, person):
    first = svc.file_open(person=person, actor=aid_cadre)
    cadre_b = make_user("aid_b11", org=tree["SH-B-1-1"], role="cadre")
    spouse = id_number("19820305")
    svc.member_add(file=first, actor=aid_cadre, id_number=spouse, name="李娜",
                   relation="spouse", work="employed")
    file_b = svc.file_open(person=make_person(tree["SH-B-1-1"], "王强"), actor=cadre_b)
    with pytest.raises(Conflict) as exc:
        svc.member_add(file=file_b, actor=cadre_b, id_number=spouse, name="李娜",
                       relation="spouse", work="employed")
    assert exc.value.message == "李娜已在另一份在档困难职工档案中，不能重复建档；如需核实，请联系上级工会。"
    assert exc.value.extra == {}
    assert file_b.household.count() == 1


def test_review_chain(tree, standard, aid_cadre, street_cadre, person):
    file = open_file(person, aid_cadre, incomes=("1000",), extra_members=1)
    assert file.proposed_category == "deep"
    with pytest.raises(ApplicationError) as exc:
        svc.file_submit(file=file, actor=aid_cadre, category="relative")
    assert exc.value.message == "所选类别与系统建议（深度困难）不一致，请填写理由。"
    svc.file_submit(file=file, actor=aid_cadre, category="deep")
    file.refresh_from_db()
    assert (file.status, file.category) == ("submitted", "deep")
    # the grassroots cadre may not verify; nor may the one who submitted
    with pytest.raises(Forbidden) as exc:
        svc.file_verify(file=file, actor=aid_cadre)
    assert exc.value.message == "档案须由街道（乡镇、园区）或区县工会核实。"
    svc.file_return(file=file, actor=street_cadre, reason="收入证明缺失")
    file.refresh_from_db()
    assert file.status == "draft"
    svc.file_submit(file=file, actor=aid_cadre, category="deep")
    file = svc.file_verify(file=file, actor=street_cadre, note="入户核实")
    assert file.status == "active"
    assert file.verified_by == street_cadre
    assert IncomeAssessment.objects.filter(file=file, source="verify").count() == 1
    kinds = list(file.activities.order_by("at", "id").values_list("kind", "from_status",
                                                                  "to_status"))
    assert [k for k in kinds if k[1] or k[2]] == [
        ("open", "", "draft"), ("submit", "draft", "submitted"),
        ("return", "submitted", "draft"), ("submit", "draft", "submitted"),
        ("verify", "submitted", "active"),
    ]


def test_submitter_cannot_verify_own_file(tree, standard, street_cadre, person):
    file = open_file(person, street_cadre, incomes=("1000",))
    svc.file_submit(file=file, actor=street_cadre, category="deep")
    with pytest.raises(Forbidden) as exc:
        svc.file_verify(file=file, actor=street_cadre)
    assert exc.value.message == "提交人不能核实自己提交的档案。"


def test_reject_and_close_release_the_household(tree, standard, aid_cadre, street_cadre, person):
    file = open_file(person, aid_cadre, incomes=("1000",))
    svc.file_submit(file=file, actor=aid_cadre, category="deep")
    svc.file_reject(file=file, actor=street_cadre, reason="家庭收入高于标准")
    assert HouseholdClaim.objects.filter(file=file).count() == 0
    again = svc.file_open(person=person, actor=aid_cadre)
    assert again.pk != file.pk
    svc.file_close(file=again, actor=aid_cadre, reason="撤回")
    assert HouseholdClaim.objects.count() == 0


def test_active_file_change_flags_review_not_reclassify(tree, standard, aid_cadre, street_cadre,
                                                       person):
    file = active_file(person, aid_cadre, street_cadre, incomes=("1000",))
    assert file.category == "deep"
    svc.income_add(file=file, actor=aid_cadre, kind="wage", monthly_amount=Decimal("2500"))
    file.refresh_from_db()
    assert (file.category, file.proposed_category) == ("deep", "relative")
    assert file.needs_review is True
    assert file.review_reason == "家庭成员或收入变化后，系统建议类别为“相对困难”，请复核。"


def test_reveal_is_logged_and_needs_the_capability(tree, standard, aid_cadre, district_cadre,
                                                  person):
    file = open_file(person, aid_cadre)
    with pytest.raises(Forbidden):
        svc.household_ids_reveal(file=file, actor=aid_cadre, purpose="核对")
    assert SensitiveRead.objects.count() == 0
    pairs = svc.household_ids_reveal(file=file, actor=district_cadre, purpose="核对家庭成员身份")
    assert next(n for _m, n in pairs) == person.id_number
    log = SensitiveRead.objects.get()
    assert (log.actor, log.field, log.count, log.purpose) == (
        district_cadre, "household.id_number", 2, "核对家庭成员身份")
    assert log.org_path == file.union_path
