"""Pages and API: the journey's pages answer, scoping holds (a district sees only its subtree),
the public 公示 shows name, unit and summary only, PDFs open with Chinese text, rankings tie."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import login, make_user
from gonghui.awards.models import Nomination, NominationStatus, Quota, Score
from gonghui.awards.services import competitions as comp_svc
from gonghui.awards.services import honours as svc
from gonghui.awards.tests.factories import SYSTEM, member, nominate, scheme
from gonghui.core import clock
from gonghui.core.errors import ApplicationError

ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "artifacts"
DAY = dt.datetime(2026, 5, 6, 10, 0)


@pytest.fixture
def frozen():
    with clock.frozen(DAY):
        yield


@pytest.fixture
def round_(tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=5, actor=SYSTEM)
    return s


def _text(pdf: bytes, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return "".join(out.split())


def test_grassroots_nominates_on_the_page_district_b_sees_nothing(client, tree, round_):
    cadre = make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")
    person = member(tree["SH-A-1-1"], "陈师傅")
    login(client, cadre)
    url = reverse("awards:nominate", args=[round_.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"union": "SH-A-1-1", "member": "陈师傅",
                                 "category": "frontline", "deeds": "革新工艺",
                                 "deeds_summary": "工艺革新能手"})
    n = Nomination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "awards:nomination", args=[n.pk])
    assert (n.person, n.at_org.code, n.status) == (person, "SH-A-1", NominationStatus.SUBMITTED)
    # a duplicate is refused on the form with the rule's sentence, nothing added
    response = client.post(url, {"union": "SH-A-1-1", "member": "陈师傅",
                                 "category": "frontline", "deeds": "x", "deeds_summary": "y"})
    assert response.status_code == 409
    assert "同一对象每年每项只能推荐一次" in response.content.decode()
    assert Nomination.objects.count() == 1
    other = make_user("district_b", org=tree["SH-B"], role="admin")
    client.force_login(other)
    assert client.get(reverse("awards:nomination", args=[n.pk])).status_code == 404
    assert "陈师傅" not in client.get(reverse("awards:nominations")).content.decode()
    api = client.get("/api/v1/awards/nominations")
    assert api.status_code == 200
    assert api.json()["count"] == 0
    assert client.post(f"/api/v1/awards/nominations/{n.pk}/return",
                       data=json.dumps({"reason": "x"}),
                       content_type="application/json").status_code == 404
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.SUBMITTED


def test_forward_over_quota_on_the_review_page_names_the_numbers(client, tree, frozen):
    s = scheme(tree["SH"])
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=1, actor=SYSTEM)
    noms = [nominate(s, tree["SH-A-1-1"], member(tree["SH-A-1-1"], n)) for n in ("甲", "乙")]
    street = make_user("street_a1", org=tree["SH-A-1"], role="cadre")
    login(client, street)
    url = reverse("awards:review", args=[s.pk]) + "?org=SH-A-1"
    page = client.get(url)
    assert page.status_code == 200
    assert "甲区一街道工会待审名单" in page.content.decode()
    response = client.post(url, {"org": "SH-A-1", "nomination": [str(n.pk) for n in noms],
                                 f"rank_{noms[0].pk}": "2", f"rank_{noms[1].pk}": "1"})
    assert response.status_code == 409
    assert ("甲区总工会名额 1 个，已报送 0 个，本次报送 2 个，合计 2 个，超出 1 个。"
            in response.content.decode())
    assert Quota.objects.get(scheme=s).used == 0
    response = client.post(url, {"org": "SH-A-1", "nomination": [str(noms[1].pk)]})
    assert response.status_code == 302
    assert Nomination.objects.get(pk=noms[1].pk).at_org.code == "SH-A"


def test_api_forward_and_ranks(client, tree, round_, city_admin):
    noms = [nominate(round_, tree["SH-A-1-1"], member(tree["SH-A-1-1"], n))
            for n in ("吴一", "吴二")]
    login(client, city_admin)
    response = client.post(f"/api/v1/awards/schemes/{round_.pk}/forward",
                           data=json.dumps({"org": "SH-A-1",
                                            "nominations": [noms[1].pk, noms[0].pk]}),
                           content_type="application/json")
    assert response.status_code == 200
    assert [(r["name"], r["rank"], r["at_org"]) for r in response.json()] == [
        ("吴二", 1, "SH-A"), ("吴一", 2, "SH-A")]
    detail = client.get(f"/api/v1/awards/schemes/{round_.pk}").json()
    assert detail["quotas"] == [{"org": "SH-A", "org_name": "甲区总工会", "quota": 5,
                                 "used": 2}]


def test_public_notice_page_and_pdf_show_no_id_or_phone(client, tree, round_):
    person = member(tree["SH-A-1-1"], "林工匠")
    n = nominate(round_, tree["SH-A-1-1"], person)
    for code in ("SH-A-1", "SH-A", "SH"):
        svc.list_forward(scheme=round_, org=tree[code], nomination_ids=[n.pk], actor=SYSTEM)
    notice = svc.scheme_notice_publish(scheme=round_, actor=SYSTEM)
    page = client.get(reverse("awards:publicity", args=[notice.pk]))  # anonymous: public
    body = page.content.decode()
    assert page.status_code == 200
    assert "林工匠" in body
    assert "技术革新骨干" in body
    assert "甲一公司" in body
    assert person.id_number not in body
    assert person.phone not in body
    pdf = client.get(reverse("awards:publicity_pdf", args=[notice.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    text = _text(pdf.content, "awards-notice.pdf")
    assert "2026年度五一劳动奖章拟表彰对象公示" in text
    assert "林工匠" in text
    assert "技术革新骨干" in text
    assert person.id_number not in text
    assert person.phone not in text


@pytest.fixture
def contest(tree, frozen):
    comp = comp_svc.competition_create(
        org=tree["SH-A"], title="甲区钳工技能大赛", kind="skill", year=2026, actor=SYSTEM,
        criteria=[("理论", Decimal("100"), Decimal("0.4")),
                  ("实操", Decimal("100"), Decimal("0.6"))], tie_rule="criteria")
    entries = [comp_svc.entry_add(competition=comp, actor=SYSTEM,
                                  person=member(tree["SH-A-1-1"], n)) for n in ("甲", "乙", "丙")]
    comp_svc.competition_advance(competition=comp, actor=SYSTEM)
    return comp, entries


def _score(comp, entry, marks, judge):
    for criterion, mark in zip(comp.criteria.all(), marks, strict=True):
        comp_svc.score_record(entry=entry, criterion=criterion, score=Decimal(mark), actor=judge)


def test_ranking_ties_by_rule(tree, contest):
    comp, (a, b, c) = contest
    judge = make_user("judge", org=tree["SH-A"], role="cadre")
    _score(comp, a, ("90", "80"), judge)   # 36 + 48 = 84
    _score(comp, b, ("60", "100"), judge)  # 24 + 60 = 84, weaker on the first criterion
    _score(comp, c, ("90", "80"), judge)   # identical to a: shared rank
    rows = comp_svc.ranking(comp)
    assert [(r.entry.name, r.rank, r.total) for r in rows] == [
        ("甲", 1, Decimal("84.00")), ("丙", 1, Decimal("84.00")), ("乙", 3, Decimal("84.00"))]
    comp.tie_rule = "earlier_entry"
    assert [(r.entry.name, r.rank) for r in comp_svc.ranking(comp)] == [
        ("甲", 1), ("乙", 2), ("丙", 3)]
    comp.tie_rule = "shared"
    assert [(r.entry.name, r.rank) for r in comp_svc.ranking(comp)] == [
        ("甲", 1), ("乙", 1), ("丙", 1)]


def test_score_range_and_certificates_pdf(client, tree, contest, city_admin):
    comp, (a, b, _c) = contest
    criterion = comp.criteria.first()
    with pytest.raises(ApplicationError, match=r"得分应在 0 至 100\.00 之间"):
        comp_svc.score_record(entry=a, criterion=criterion, score=Decimal("100.01"),
                              actor=city_admin)
    assert Score.objects.count() == 0
    _score(comp, a, ("90", "95"), city_admin)
    _score(comp, b, ("80", "70"), city_admin)
    comp_svc.competition_advance(competition=comp, actor=SYSTEM, finalists=2)
    _score(comp, a, ("95", "95"), city_admin)
    _score(comp, b, ("85", "85"), city_admin)
    comp_svc.competition_advance(competition=comp, actor=SYSTEM)
    login(client, city_admin)
    pdf = client.get(reverse("awards:certificates", args=[comp.pk]))
    assert pdf.status_code == 200
    text = _text(pdf.content, "awards-certificates.pdf")
    assert "荣誉证书" in text
    assert "在甲区钳工技能大赛中荣获第1名" in text
    assert "甲" in text


def test_cli_notice_due(tree, round_, capsys):
    n = nominate(round_, tree["SH-A-1-1"], member(tree["SH-A-1-1"], "何工"))
    for code in ("SH-A-1", "SH-A", "SH"):
        svc.list_forward(scheme=round_, org=tree[code], nomination_ids=[n.pk], actor=SYSTEM)
    notice = svc.scheme_notice_publish(scheme=round_, actor=SYSTEM)
    call_command("awards", "notice-due", "--days", "5")
    out = capsys.readouterr().out
    assert out.strip() == (f"#{notice.pk} SH ends {notice.end_date} pending objections: 0 · "
                           "2026年度五一劳动奖章拟表彰对象公示")
