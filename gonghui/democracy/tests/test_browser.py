"""Browser journey: two voters vote on phone-sized pages, the count committee closes the round
and the result report PDF names the winners (Playwright driving /usr/bin/chromium).
Screenshots go to var/artifacts/."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import BROWSER_MARKS, PHONE, new_page, screenshot, sign_in
from gonghui.democracy import services
from gonghui.democracy.models import Ballot, RoundMode
from gonghui.democracy.tests.conftest import prepared_election

pytestmark = BROWSER_MARKS
ARTIFACTS = Path(os.environ.get("GONGHUI_ARTIFACTS", "var/artifacts"))


@pytest.mark.django_db(transaction=True)
def test_voters_vote_on_phones_and_the_report_names_the_winners(
        live_server: Any, browser: Any, page: Any, tree: Any, district_cadre: Any) -> None:
    election = prepared_election(tree["SH-A-1-1"], district_cadre, voters=3, seats=1,
                                 candidates=("王建国", "李秀英"), prefix="voter")
    voting, _tokens = services.round_open(election=election, mode=RoundMode.ELECTRONIC,
                                          actor=district_cadre)
    for username, name in (("voter0", "王建国"), ("voter1", "王建国"), ("voter2", "李秀英")):
        phone = new_page(browser, PHONE)
        sign_in(phone, live_server.url, username)
        phone.goto(f"{live_server.url}/democracy/")
        phone.click("#my-votes >> text=去投票")
        phone.wait_for_selector("#ballot")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if username == "voter0":
            phone.click("#submit-ballot")  # forgot to confirm: refused, nothing stored
            phone.wait_for_selector("text=请勾选确认后再提交选票。")
            assert Ballot.objects.filter(round=voting).count() == 0
            screenshot(phone, "democracy-ballot-phone")
        phone.check(f"label:has-text('{name}') input")
        phone.check("#cast")
        phone.click("#submit-ballot")
        phone.wait_for_selector(".alert-success")
        assert "您的选票已投出" in phone.locator(".alert-success").inner_text()
        assert phone.locator("#my-votes").inner_text().count("去投票") == 0
        phone.context.close()
    assert Ballot.objects.filter(round=voting).count() == 3
    sign_in(page, live_server.url, "district_a")
    page.goto(f"{live_server.url}/democracy/rounds/{voting.pk}/")
    assert "已投 3 票 / 发出凭证 3 张" in page.locator("main").inner_text()
    page.click("#close-round")
    page.wait_for_selector("#tally")
    rows = page.locator("#tally tbody tr").all_inner_texts()
    assert [r.split()[:2] for r in rows] == [["王建国", "2"], ["李秀英", "1"]]
    assert "当选" in rows[0]
    assert "按存储的选票重新计票，结果与公布结果一致。" in page.locator("main").inner_text()
    screenshot(page, "democracy-round-counted")
    response = page.request.get(f"{live_server.url}/democracy/elections/{election.pk}/report.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "democracy-report.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftotext"):
        text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                      capture_output=True, text=True).stdout.split())
        assert "选举结果报告" in text
        # the winners' table: name, round, "yes" votes
        assert "姓名当选轮次赞成票王建国12" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(ARTIFACTS / "democracy-report")], check=False)
