"""Pages and API end to end through the client: the cadre's steps, the voter's phone page,
the API's count and ballot endpoints, the result PDF and the yearly proposal report."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from conftest import login
from gonghui.accounts.models import User
from gonghui.democracy import services
from gonghui.democracy.models import Ballot, Election, ElectionStatus, RoundMode
from gonghui.democracy.tests.conftest import prepared_election

pytestmark = pytest.mark.django_db


def test_cadre_pages_and_paper_round(client: Any, tree: Any, district_cadre: Any) -> None:
    login(client, district_cadre)
    response = client.post(reverse("democracy:election_new"), {
        "org": "SH-A-1-1", "title": "甲一公司工会换届选举", "body": "committee", "seats": "1",
        "meeting_on": "2026-12-01", "term_years": "5"})
    assert response.status_code == 302
    election = Election.objects.get(title="甲一公司工会换届选举")
    pk = election.pk
    assert client.post(reverse("democracy:plan_approve", args=[pk]), {}).status_code == 400
    assert client.post(reverse("democracy:plan_approve", args=[pk]),
                       {"approval": "沪甲工〔2026〕3号"}).status_code == 302
    for name in ("王", "李"):
        assert client.post(reverse("democracy:candidate_add", args=[pk]),
                           {"name": name}).status_code == 302
    assert client.post(reverse("democracy:voters_add", args=[pk]),
                       {"lines": "甲\n乙\n丙"}).status_code == 302
    assert client.post(reverse("democracy:candidates_approve", args=[pk]),
                       {"approval": "同意"}).status_code == 302
    ids = list(election.voters.values_list("pk", flat=True))
    response = client.post(reverse("democracy:meeting_open", args=[pk]), {"present": ids[:1]})
    assert response.status_code == 400
    assert "应到会 3 人，实到 1 人，不足三分之二，不能进行选举。" in response.content.decode()
    assert client.post(reverse("democracy:meeting_open", args=[pk]),
                       {"present": ids[:2]}).status_code == 302
    assert client.post(reverse("democracy:round_open", args=[pk]),
                       {"mode": "paper"}).status_code == 302
    voting = election.rounds.get()
    response = client.post(reverse("democracy:round_close", args=[voting.pk]),
                           {"issued": "2", "returned": "3", "c0": "2", "c1": "0"})
    assert response.status_code == 302  # returned > issued: counted as a void round
    voting.refresh_from_db()
    assert voting.result["round_valid"] is False
    client.post(reverse("democracy:round_open", args=[pk]), {"mode": "paper"})
    second = election.rounds.get(number=2)
    response = client.post(reverse("democracy:round_close", args=[second.pk]),
                           {"issued": "2", "returned": "2", "c0": "2", "c1": "0"})
    assert response.status_code == 302
    election.refresh_from_db()
    assert election.status == ElectionStatus.COUNTED
    page = client.get(reverse("democracy:round", args=[second.pk])).content.decode()
    assert "当选" in page
    pdf = client.get(reverse("democracy:report", args=[pk]))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content[:5] == b"%PDF-"
    listing = client.get(reverse("democracy:elections"), {"q": "甲一", "status": "counted"})
    assert "甲一公司工会换届选举" in listing.content.decode()


def test_voter_page_and_ballot_api(client: Any, tree: Any, district_cadre: Any) -> None:
    election = prepared_election(tree["SH-A-1-1"], district_cadre, voters=3, seats=1,
                                 candidates=("王", "李"), prefix="p")
    voting, tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                         actor=district_cadre)
    voter = User.objects.get(username="p0")
    login(client, voter)
    url = reverse("democracy:vote", args=[voting.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"choices": ["王"]}).status_code == 400  # not confirmed
    assert Ballot.objects.count() == 0
    assert client.post(url, {"choices": ["王"], "cast": "1"}).status_code == 302
    voted = client.get(url)
    assert voted.status_code == 200
    assert "您已投票。每位选举人只能投一票。" in voted.content.decode()
    twice = client.post(url, {"choices": ["李"], "cast": "1"})
    assert twice.status_code == 409
    assert "您已投票。每位选举人只能投一票。" in twice.content.decode()
    assert Ballot.objects.filter(round=voting).count() == 1
    client.logout()
    api = "/api/v1/democracy/ballots"
    body = {"token": tokens[1][1], "choices": ["李"]}
    assert client.post(api, json.dumps(body), content_type="application/json").status_code == 201
    again = client.post(api, json.dumps(body), content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"] == "该投票凭证已经使用过，每人只能投一票。"
    bad = client.post(api, json.dumps({"token": "XXXX", "choices": []}),
                      content_type="application/json")
    assert bad.status_code == 404
    assert Ballot.objects.filter(round=voting).count() == 2


def test_count_api_is_the_cli_function(client: Any, member_user: Any) -> None:
    login(client, member_user)
    response = client.post("/api/v1/democracy/count", json.dumps({
        "entitled": 10, "present": 10, "seats": 2, "candidates": ["甲", "乙", "丙"],
        "issued": 10, "returned": 10, "tally": {"甲": 9, "乙": 7, "丙": 7}}),
        content_type="application/json")
    assert response.status_code == 200
    assert response.json()["runoff"] == ["乙", "丙"]
    bad = client.post("/api/v1/democracy/count", json.dumps({"entitled": 1, "present": 2,
                                                             "seats": 1, "candidates": 2}),
                      content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["detail"] == "实到人数（2）不能多于应到会人数（1）。"


def test_proposal_report_xlsx(client: Any, tree: Any, district_cadre: Any) -> None:
    login(client, district_cadre)
    response = client.get(reverse("democracy:proposal_report"), {"year": "2026"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2026年提案", "统计"]
    assert [c.value for c in book["2026年提案"][1]][:3] == ["工会", "案由", "提案人"]
